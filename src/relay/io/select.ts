/**
 * Chooses a worker's relay I/O: `native` where the FFI loads (Linux x64/arm64), else `dgram` with the reason.
 * Each backend loads only when chosen: dgram-io brings node:dgram, node:dns and node:net, ≈ 0.2 MiB of a native
 * worker's RSS that it never used (docs/performance.md, "Relay worker memory, fifth session").
 */
import type { RelayIo, RelayIoChoice } from './types.ts';

const isDeno = typeof (globalThis as { Deno?: unknown }).Deno !== 'undefined';

/** Loads the FFI binding of this runtime; throws with the reason when it cannot. */
async function loadNative(): Promise<RelayIo> {
  const { platform, arch } = await import('node:process');
  // The structure layouts in native/layout.ts are those of LP64 Linux.
  if (platform !== 'linux' || (arch !== 'x64' && arch !== 'arm64')) {
    throw new Error(`native relay I/O supports Linux on x64/arm64, not ${platform}/${arch}`);
  }
  const { NativeIo } = await import('./native/native-io.ts');
  const libc = isDeno
    ? (await import('./native/libc-deno.ts')).bindLibcDeno()
    : (await import('./native/libc-koffi.ts')).bindLibcKoffi();
  return new NativeIo(libc);
}

/**
 * `native` fails when the FFI cannot load; `auto` then falls back to dgram and `fallback` says why (the caller logs
 * it once); `dgram` never touches the FFI.
 */
export async function openRelayIo(choice: RelayIoChoice): Promise<{ io: RelayIo; fallback: string | null }> {
  if (choice === 'dgram') return { io: await openDgram('chosen with --relay-io dgram'), fallback: null };
  try {
    return { io: await loadNative(), fallback: null };
  } catch (error) {
    if (choice === 'native') throw error;
    const reason = (error as Error).message;
    return { io: await openDgram(reason), fallback: reason };
  }
}

/** `reason`: why this worker forwards through node:dgram (what its unsupported endpoints report). */
async function openDgram(reason: string): Promise<RelayIo> {
  const { DgramIo } = await import('./dgram-io.ts');
  return new DgramIo(reason);
}
