/** Picks the adapter of the runtime we are running on. */
import type { Runtime } from './types.ts';

export const isDeno = typeof (globalThis as { Deno?: unknown }).Deno !== 'undefined';

export async function currentRuntime(): Promise<Runtime> {
  return isDeno ? (await import('./deno.ts')).denoRuntime : (await import('./node.ts')).nodeRuntime;
}
