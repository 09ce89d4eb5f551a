/**
 * Tinypool task run once per relay worker: it opens the worker's relay I/O, then hosts bridges until the pool sends
 * `shutdown`. The task stays pending for the worker's whole life, so each of the pool's tasks owns exactly one thread.
 */
import { readlinkSync } from 'node:fs';
import process from 'node:process';
import { threadId } from 'node:worker_threads';
import type { MessagePort } from 'node:worker_threads';
import { releaseOnExit } from './exit-release.ts';
import type { ReleaseSignal } from './exit-release.ts';
import type { RelayIoChoice } from './io/types.ts';
import { holdOptimisingCompiler } from '../runtime/startup-tiering.ts';

type WorkerData = { port: MessagePort; io: RelayIoChoice; release: ReleaseSignal };

/**
 * The relay modules and the I/O (koffi for native) load with TurboFan held back, as the daemon's do at start
 * (src/runtime/startup-tiering.ts): otherwise the module loader gets a function optimised in this thread, which costs
 * each worker ≈ 1.8 MiB before it forwards a frame. The switch is process-wide, so other threads' new optimisations
 * wait these few milliseconds too.
 */
async function loadRelay(choice: RelayIoChoice) {
  const resumeOptimising = holdOptimisingCompiler();
  try {
    const [{ RelayHost }, { openRelayIo }] = await Promise.all([import('./host.ts'), import('./io/select.ts')]);
    return { RelayHost, ...(await openRelayIo(choice)) };
  } finally {
    resumeOptimising();
  }
}

/** The kernel's id of this thread ("<pid>/task/<tid>"), for the pool to read its CPU demand; null without /proc. */
function kernelThreadId(): number | null {
  try {
    return Number(readlinkSync('/proc/thread-self').split('/').pop());
  } catch {
    return null;
  }
}

export default async function relayWorker({ port, io: choice, release }: WorkerData): Promise<void> {
  const { RelayHost, io, fallback } = await loadRelay(choice);
  const host = new RelayHost(port, io);
  // An uncaught error still ends the worker (rethrown from the handler, it reaches the pool as the thread's 'error'),
  // but first the native descriptors are closed: they are not Node handles, so they would leak, and koffi crashes the
  // process if its poll handles outlive the thread's event loop.
  process.on('uncaughtException', (error) => {
    io.abandon();
    throw error;
  });
  // The same when the process exits under the worker (it is then terminated without running any JavaScript).
  releaseOnExit(release, () => io.abandon());
  host.post({ hello: { threadId, tid: kernelThreadId(), io: io.name, fallback, doorbell: io.doorbell } });
  await host.closed;
}
