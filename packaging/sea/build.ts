/**
 * `npm run package` (after `npm run build`): builds dist/patchbay, a Node single executable application. Inside: the
 * bootstrap (bootstrap.ts, bundled to CommonJS) and, as an asset, the compiled daemon with its web UI and production
 * node_modules packed by archive.ts. The Node binary is the running one when it carries the SEA fuse (official
 * builds do), else the official build from the npm registry package node-linux-<arch> of the same version; postject
 * injects the blob. Only the npm registry is needed, and only in that fallback.
 */
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { chmodSync, copyFileSync, cpSync, existsSync, lstatSync, mkdirSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { pack, type PackedFile } from './archive.ts';

/** postject ships no types; this is the one function used. */
const { inject } = createRequire(import.meta.url)('postject') as {
  inject(file: string, resource: string, data: Buffer, options: { sentinelFuse: string }): Promise<void>;
};

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const WORK = join(ROOT, 'dist', 'sea');
const STAGE = join(WORK, 'app');
const OUTPUT = join(ROOT, 'dist', 'patchbay');
/** The sentinel official Node builds carry; postject flips it so the binary runs its blob. */
const FUSE = 'NODE_SEA_FUSE_fce680ab2cc467b6e072b8b5df1996b2';

const say = (message: string) => console.log(`build-binary: ${message}`);

function stage(): void {
  rmSync(STAGE, { recursive: true, force: true });
  mkdirSync(join(STAGE, 'dist'), { recursive: true });
  for (const part of ['agent', 'src', 'web']) {
    const from = join(ROOT, 'dist', part);
    if (existsSync(from)) cpSync(from, join(STAGE, 'dist', part), { recursive: true });
    else if (part !== 'web') throw new Error(`dist/${part} is missing: run npm run build first`);
  }
  for (const file of ['package.json', 'package-lock.json']) copyFileSync(join(ROOT, file), join(STAGE, file));
  // The locked production modules; koffi's prebuilt addon comes in its platform package, no install script needed.
  execFileSync('npm', ['ci', '--omit=dev', '--prefer-offline', '--ignore-scripts', '--no-audit', '--no-fund', '--loglevel=error'], { cwd: STAGE, stdio: 'inherit' });
  // valibot's optional peer, only used for type inference: 23 MB the daemon never loads.
  rmSync(join(STAGE, 'node_modules', 'typescript'), { recursive: true, force: true });
  // ES modules on disk are loaded through a CommonJS file, the only kind the embedded script can require.
  writeFileSync(join(STAGE, 'launch.cjs'), 'module.exports = (url) => import(url);\n');
}

/** Regular files only: npm's .bin symlinks are not needed to run the daemon. */
function collect(dir: string, files: PackedFile[] = []): PackedFile[] {
  for (const name of readdirSync(dir).sort()) {
    const path = join(dir, name);
    const stat = lstatSync(path);
    if (stat.isDirectory()) collect(path, files);
    else if (stat.isFile()) files.push({ path: relative(STAGE, path), mode: stat.mode & 0o755, data: readFileSync(path) });
  }
  return files;
}

function hasFuse(binary: string): boolean {
  return readFileSync(binary).includes(`${FUSE}:0`);
}

/** The Node binary to turn into patchbay: ours if it can be, else the same version from the npm registry. */
function nodeBinary(): string {
  if (hasFuse(process.execPath)) return process.execPath;
  const arch = { x64: 'x64', arm64: 'arm64' }[process.arch as string];
  if (process.platform !== 'linux' || !arch) throw new Error(`no Node build on the npm registry for ${process.platform}-${process.arch}`);
  const dir = join(WORK, 'node');
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  const spec = `node-linux-${arch}@${process.versions.node}`;
  say(`${process.execPath} has no SEA fuse (a distribution build?): fetching ${spec}`);
  const tarball = execFileSync('npm', ['pack', spec, '--silent', '--pack-destination', dir], { encoding: 'utf8' }).trim();
  execFileSync('tar', ['-xzf', join(dir, tarball), '-C', dir]);
  const binary = join(dir, 'package', 'bin', 'node');
  if (!hasFuse(binary)) throw new Error(`${spec} has no SEA fuse either`);
  return binary;
}

async function main(): Promise<void> {
  mkdirSync(WORK, { recursive: true });
  stage();
  const payload = pack(collect(STAGE));
  const id = createHash('sha256').update(payload).digest('hex').slice(0, 16);
  writeFileSync(join(WORK, 'app.pack'), payload);
  writeFileSync(join(WORK, 'app-id'), id);
  say(`payload ${(payload.length / 2 ** 20).toFixed(1)} MiB, build ${id}`);
  await build({
    entryPoints: [fileURLToPath(new URL('./bootstrap.ts', import.meta.url))],
    bundle: true,
    platform: 'node',
    format: 'cjs',
    target: 'node20',
    outfile: join(WORK, 'bootstrap.cjs'),
    logLevel: 'warning',
  });
  writeFileSync(join(WORK, 'sea-config.json'), JSON.stringify({
    main: join(WORK, 'bootstrap.cjs'),
    output: join(WORK, 'sea.blob'),
    disableExperimentalSEAWarning: true,
    assets: { app: join(WORK, 'app.pack'), 'app-id': join(WORK, 'app-id') },
  }));
  const node = nodeBinary();
  // The blob format belongs to one Node version: the binary that will run it makes it.
  execFileSync(node, ['--experimental-sea-config', join(WORK, 'sea-config.json')], { stdio: 'inherit' });
  rmSync(OUTPUT, { force: true });
  copyFileSync(node, OUTPUT);
  chmodSync(OUTPUT, 0o755);
  await inject(OUTPUT, 'NODE_SEA_BLOB', readFileSync(join(WORK, 'sea.blob')), { sentinelFuse: FUSE });
  rmSync(WORK, { recursive: true, force: true });
  say(`built ${relative(ROOT, OUTPUT)} (${(lstatSync(OUTPUT).size / 2 ** 20).toFixed(0)} MiB, Node ${process.versions.node})`);
}

await main();
