/**
 * The libc calls that change the calling thread's own settings, which a child spawned from that thread starts with
 * (capabilities: capabilities.ts; timer slack: timer-slack.ts). Bound with the first call: koffi on Node,
 * Deno.dlopen on Deno; a call throws where libc cannot be bound (no FFI permission).
 */
import { createRequire } from 'node:module';
import { isDeno } from '../runtime/index.ts';

type Calls = {
  prctl(option: number, arg2: number, arg3: number, arg4: number, arg5: number): number;
  capset(header: Uint8Array, data: Uint8Array): number;
};

function bind(): Calls {
  if (isDeno) {
    type DenoFfi = { dlopen(path: string, symbols: Record<string, unknown>): { symbols: Record<string, (...args: unknown[]) => number> } };
    // Deno's FFI has no variadic calls; on the 64-bit Linux ABIs integer arguments travel the same way either way.
    const { symbols } = (globalThis as unknown as { Deno: DenoFfi }).Deno.dlopen('libc.so.6', {
      prctl: { parameters: ['i32', 'u64', 'u64', 'u64', 'u64'], result: 'i32' },
      capset: { parameters: ['buffer', 'buffer'], result: 'i32' },
    });
    return {
      prctl: (option, ...args) => symbols.prctl!(option, ...args.map(BigInt)),
      capset: (header, data) => symbols.capset!(header, data),
    };
  }
  // koffi is a CommonJS native addon; require keeps it out of Deno's module graph.
  type Koffi = { load(path: string): { func(signature: string): (...args: unknown[]) => number } };
  const lib = (createRequire(import.meta.url)('koffi') as Koffi).load('libc.so.6');
  const prctl = lib.func('int prctl(int, unsigned long, unsigned long, unsigned long, unsigned long)');
  const capset = lib.func('int capset(void *header, void *data)');
  return { prctl: (...args) => prctl(...args), capset: (header, data) => capset(header, data) };
}

let calls: Calls | undefined;

/** prctl(2) for the calling thread. */
export function prctl(option: number, arg2 = 0, arg3 = 0, arg4 = 0, arg5 = 0): number {
  calls ??= bind();
  return calls.prctl(option, arg2, arg3, arg4, arg5);
}

/** capset(2) for the calling thread: `header` and `data` in the kernel's layout. */
export function capset(header: Uint8Array, data: Uint8Array): number {
  calls ??= bind();
  return calls.capset(header, data);
}
