/**
 * tap's `before` module: the tests start the compiled daemon (dist/), so rebuild it when a source is newer than the
 * build. `npm test` builds first anyway; this keeps `npx tap some.test.ts` after an edit from testing stale code.
 */
import { spawnSync } from 'node:child_process';
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT } from './daemon.ts';

const BUILT = join(ROOT, 'dist', 'agent', 'main.js');
const SOURCES = ['src', 'agent', 'package.json', 'tsconfig.json', 'tsconfig.build.json'];

function newestChange(path: string): number {
  const stat = statSync(path);
  if (!stat.isDirectory()) return stat.mtimeMs;
  return Math.max(stat.mtimeMs, ...readdirSync(path).map((name) => newestChange(join(path, name))));
}

function builtAt(): number {
  try {
    return statSync(BUILT).mtimeMs;
  } catch {
    return -1;
  }
}

if (Math.max(...SOURCES.map((name) => newestChange(join(ROOT, name)))) > builtAt()) {
  const build = spawnSync('npm', ['run', '--silent', 'build:js'], { cwd: ROOT, stdio: 'inherit' });
  if (build.status !== 0) {
    console.error('test/helpers/build-dist.ts: `npm run build:js` failed; the tests need the compiled daemon in dist/');
    process.exit(1);
  }
}
