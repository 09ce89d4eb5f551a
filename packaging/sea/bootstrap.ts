/**
 * Entry point of the single binary (a Node single executable application, so CommonJS). The compiled daemon, its
 * web UI and its production node_modules (koffi's native addon, tinypool's worker entry) must be real files: worker
 * threads, native addons and ES modules load from disk. They are unpacked once per build into a private cache
 * directory, then the daemon's own entry runs from there with the binary's arguments.
 */
import { createRequire } from 'node:module';
import { accessSync, constants, existsSync, lstatSync, mkdirSync, mkdtempSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { getAsset } from 'node:sea';
import { unpack } from './archive.ts';

/** Made by the build: one hex id per payload, so a new build never runs an older build's files. */
const BUILD_ID = getAsset('app-id', 'utf8').trim();

/** Owned by us and writable by nobody else: nobody else may plant code that we then run. */
function ensurePrivateDir(dir: string): void {
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const stat = lstatSync(dir);
  if (!stat.isDirectory() || stat.uid !== process.getuid!() || (stat.mode & 0o022) !== 0) {
    throw new Error(`"${dir}" is not a directory that only this user can write`);
  }
  accessSync(dir, constants.W_OK);
}

function cacheBase(): string {
  const home = process.env.HOME;
  const candidates = process.env.PATCHBAY_CACHE_DIR
    ? [process.env.PATCHBAY_CACHE_DIR]
    : [
        ...(process.env.XDG_CACHE_HOME ? [join(process.env.XDG_CACHE_HOME, 'patchbay')] : []),
        ...(home ? [join(home, '.cache', 'patchbay')] : []),
        join(tmpdir(), `patchbay-${process.getuid!()}`),
      ];
  const problems: string[] = [];
  for (const dir of candidates) {
    try {
      ensurePrivateDir(dir);
      return dir;
    } catch (err) {
      problems.push(`${dir}: ${(err as Error).message}`);
    }
  }
  throw new Error(`patchbay: no private cache directory to unpack into (set PATCHBAY_CACHE_DIR):\n  ${problems.join('\n  ')}`);
}

/** Unpacks beside the final place, then renames: a reader sees all of a build's files or none. */
function unpacked(base: string): string {
  const dir = join(base, `app-${BUILD_ID}`);
  if (existsSync(join(dir, '.complete'))) return dir;
  const staging = mkdtempSync(join(base, `.app-${BUILD_ID}-`));
  try {
    for (const file of unpack(new Uint8Array(getAsset('app')))) {
      const target = join(staging, file.path);
      mkdirSync(dirname(target), { recursive: true });
      writeFileSync(target, file.data, { mode: file.mode });
    }
    writeFileSync(join(staging, '.complete'), '');
    renameSync(staging, dir);
  } catch (err) {
    rmSync(staging, { recursive: true, force: true });
    // Another start of the same build may have won the rename; its copy is as good as ours.
    if (!existsSync(join(dir, '.complete'))) throw err;
  }
  return dir;
}

const dir = unpacked(cacheBase());
// The embedded script's own require() only knows built-in modules; one made for a file on disk loads from disk.
const run = createRequire(join(dir, 'launch.cjs'))(join(dir, 'launch.cjs')) as (url: string) => Promise<unknown>;
run(pathToFileURL(join(dir, 'dist', 'agent', 'main.js')).href).catch((err: unknown) => {
  console.error(err instanceof Error ? err.stack : err);
  process.exit(1);
});
