/**
 * Part of `npm run build:js`: copies the files the daemon reads beside its modules at run time (pty-exec.py, the Docker
 * init script, ...) from src/ into dist/src/, so the compiled daemon finds them where the sources do.
 */
import { cpSync, statSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../', import.meta.url));
// TypeScript is compiled by tsc; the .mjs worker entry only serves runs from sources.
const compiledAway = /\.(ts|mjs)$/;

cpSync(`${root}src`, `${root}dist/src`, {
  recursive: true,
  filter: (source) => statSync(source).isDirectory() || !compiledAway.test(source),
});
