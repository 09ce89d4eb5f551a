/**
 * Tinypool's entry for relay threads. Deno, tap's loader and Node with type stripping load worker.ts directly. Under
 * `node --import tsx` (Node 20, tsx 4) a worker thread inherits the flag but not tsx's hooks, so the import fails with
 * ERR_UNKNOWN_FILE_EXTENSION; the thread then registers tsx itself and imports it again.
 */
let relay;
try {
  relay = await import('./worker.ts');
} catch (error) {
  if (error?.code !== 'ERR_UNKNOWN_FILE_EXTENSION') throw error;
  const { register } = await import('tsx/esm/api');
  register();
  // A new URL: the failed attempt may stay cached under the plain one.
  relay = await import('./worker.ts?tsx');
}

export default relay.default;
