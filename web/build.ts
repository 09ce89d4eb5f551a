/**
 * `npm run build:web`: bundles patchbay's web UI (web/src, xterm.js and its stylesheet) with esbuild into dist/web:
 * index.html, app.js, app.css. Everything comes from npm packages; the page loads nothing from elsewhere.
 */
import { build } from 'esbuild';
import { copyFile, mkdir, rm } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';

const web = fileURLToPath(new URL('.', import.meta.url));
const out = fileURLToPath(new URL('../dist/web/', import.meta.url));

await rm(out, { recursive: true, force: true });
await mkdir(out, { recursive: true });
await build({
  entryPoints: { app: `${web}src/main.ts` },
  bundle: true,
  format: 'esm',
  // The console module (xterm.js) becomes a chunk loaded when a console opens, so a project opens sooner.
  splitting: true,
  chunkNames: 'chunk-[hash]',
  target: 'es2022',
  minify: true,
  sourcemap: 'linked',
  outdir: out,
  logLevel: 'warning',
});
await copyFile(`${web}index.html`, `${out}index.html`);
