/**
 * compactWhenFragmented turns V8's compaction on for the full collection after one that left the old generation's
 * pages with much free space, and off again after, at run time (which Node leaves unspecified). A child process
 * promotes objects, drops every other one and collects (pages left half used), lets the observer see that collection,
 * collects again, then repeats with half as many; the old space's size against what it holds after each collection
 * says which ones compacted (a Node upgrade that ignores the setting fails here instead of letting the agent's RSS
 * creep again, issue 12).
 */
import t from 'tap';
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const MODULE = fileURLToPath(new URL('../../src/runtime/heap-compaction.ts', import.meta.url));

type Ratios = { spread: number; compacted: number; spreadAgain: number };

/** Old space size over its used part after each step; `compact`: whether the child calls compactWhenFragmented. */
function oldSpaceOverUsed(compact: boolean, flags: string[] = []): Ratios {
  const script = `
    import v8 from 'node:v8';
    if (${compact}) (await import(${JSON.stringify(MODULE)})).compactWhenFragmented();
    const ratio = () => {
      const old = v8.getHeapSpaceStatistics().find((space) => space.space_name === 'old_space');
      return old.space_size / old.space_used_size;
    };
    const observed = () => new Promise((resolve) => setTimeout(resolve, 100));
    let objects = [];
    for (let i = 0; i < 300_000; i++) objects.push({ a: i, b: i + 0.5, c: null, d: null });
    gc();
    gc();
    for (let i = 0; i < objects.length; i += 2) objects[i] = null;
    gc();
    const spread = ratio();
    await observed();
    gc();
    const compacted = ratio();
    await observed();
    // Half as many dropped now: less free space than the limit, so the next collection must not compact.
    objects = objects.filter(Boolean);
    for (let i = 0; i < objects.length; i += 2) objects[i] = null;
    gc();
    const spreadAgain = ratio();
    // The survivors are used after the measures, so that no optimised frame lets them die before.
    console.log(JSON.stringify({ spread, compacted, spreadAgain, kept: objects.filter(Boolean).length }));`;
  const out = execFileSync(process.execPath, ['--import', 'tsx', '--expose-gc', '--max-semi-space-size=1', ...flags, '--input-type=module', '-e', script], { encoding: 'utf8' });
  const { kept, ...ratios } = JSON.parse(out);
  if (kept !== 75_000) throw new Error(`the child kept ${kept} objects`);
  return ratios;
}

t.test('the collection after one that left half-used pages compacts them, and only that one', async (t) => {
  const ratios = oldSpaceOverUsed(true);
  t.ok(ratios.spread > 1.5, `the first collection leaves the old space ${ratios.spread.toFixed(2)}× what it holds`);
  t.ok(ratios.compacted < 1.2, `the next one compacts it to ${ratios.compacted.toFixed(2)}×`);
  t.ok(ratios.spreadAgain > 1.3, `with less free space than the limit, the next one leaves ${ratios.spreadAgain.toFixed(2)}×`);
});

t.test('nothing is compacted without it', async (t) => {
  const ratios = oldSpaceOverUsed(false);
  t.ok(ratios.compacted > 1.5, `the second collection leaves the old space ${ratios.compacted.toFixed(2)}× what it holds`);
});

t.test("a user's own --no-compact-on-every-full-gc is left in force", async (t) => {
  const ratios = oldSpaceOverUsed(true, ['--no-compact-on-every-full-gc']);
  t.ok(ratios.compacted > 1.5, `the second collection leaves the old space ${ratios.compacted.toFixed(2)}× what it holds`);
});
