/**
 * Layering of src/: the HTTP layer (src/api) stands on the domain, never the reverse, only it and the server adapters
 * (src/runtime) use Hono, and the top-level folders import each other without cycles. Reads the import statements of
 * every source file; no daemon needed.
 */
import t from 'tap';
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const SRC = resolve(dirname(fileURLToPath(import.meta.url)), '../../src');
const IMPORT = /(?:^|\n)\s*(?:import|export)\s[^'"]*?from\s+['"](\.{1,2}\/[^'"]+)['"]|import\(\s*['"](\.{1,2}\/[^'"]+)['"]\s*\)/g;

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return sourceFiles(path);
    return /\.(ts|mjs)$/.test(entry.name) ? [path] : [];
  });
}

/** Relative imports of every file under src/, as paths relative to src/. */
function importGraph(): Array<{ from: string; to: string }> {
  return sourceFiles(SRC).flatMap((file) =>
    [...readFileSync(file, 'utf8').matchAll(IMPORT)].map((m) => ({
      from: relative(SRC, file),
      to: relative(SRC, resolve(dirname(file), m[1] ?? m[2])),
    })),
  );
}

/** Files under src/ (relative to src/) that import Hono (`hono`, `hono/*`, `@hono/*`). */
function honoImporters(): string[] {
  const hono = /(?:^|\n)\s*(?:import|export)\s[^'"]*?from\s+['"](?:hono|@hono\/[^'"]+)(?:\/[^'"]*)?['"]|import\(\s*['"](?:hono|@hono\/)/;
  return sourceFiles(SRC).filter((file) => hono.test(readFileSync(file, 'utf8'))).map((file) => relative(SRC, file));
}

const topFolder = (path: string) => (path.includes('/') ? path.split('/')[0] : '.');

/** A cycle in a directed graph given as adjacency sets, as a list of nodes, or null. */
function findCycle(edges: Map<string, Set<string>>): string[] | null {
  const state = new Map<string, 'open' | 'done'>();
  const stack: string[] = [];
  const visit = (node: string): string[] | null => {
    state.set(node, 'open');
    stack.push(node);
    for (const next of edges.get(node) ?? []) {
      if (state.get(next) === 'open') return [...stack.slice(stack.indexOf(next)), next];
      if (!state.has(next)) {
        const cycle = visit(next);
        if (cycle) return cycle;
      }
    }
    stack.pop();
    state.set(node, 'done');
    return null;
  };
  for (const node of edges.keys()) {
    if (state.has(node)) continue;
    const cycle = visit(node);
    if (cycle) return cycle;
  }
  return null;
}

const graph = importGraph();

t.test('the graph reader sees the imports it checks', async (t) => {
  // Guards the check itself: if the pattern stopped matching, every assertion below would pass vacuously.
  t.ok(graph.some((e) => e.from === 'api/app.ts'), 'api/app.ts imports something');
  t.ok(graph.some((e) => topFolder(e.from) === 'api' && topFolder(e.to) === 'compute'), 'api imports compute');
  t.same(findCycle(new Map([['a', new Set(['b'])], ['b', new Set(['a'])]])), ['a', 'b', 'a'], 'a two-node cycle is found');
  t.equal(findCycle(new Map([['a', new Set(['b'])], ['b', new Set()]])), null, 'a chain is no cycle');
});

t.test('only src/api imports src/api', async (t) => {
  const offenders = graph.filter((e) => topFolder(e.from) !== 'api' && topFolder(e.to) === 'api');
  t.same(offenders.map((e) => `${e.from} -> ${e.to}`), []);
});

t.test('only src/api and src/runtime import hono', async (t) => {
  const importers = honoImporters();
  t.ok(importers.includes('api/app.ts') && importers.includes('runtime/node.ts'), 'the pattern sees the known importers');
  t.same(importers.filter((file) => !['api', 'runtime'].includes(topFolder(file))), []);
});

t.test('no import cycle between the top-level folders of src/', async (t) => {
  const folders = new Map<string, Set<string>>();
  for (const { from, to } of graph) {
    const [a, b] = [topFolder(from), topFolder(to)];
    if (a === b) continue;
    if (!folders.has(a)) folders.set(a, new Set());
    folders.get(a)!.add(b);
  }
  const cycle = findCycle(folders);
  const witness = cycle && graph.find((e) => topFolder(e.from) === cycle[0] && topFolder(e.to) === cycle[1]);
  t.equal(cycle?.join(' -> ') ?? null, null, witness ? `for example ${witness.from} -> ${witness.to}` : 'no cycle');
});
