/**
 * Tinypool task run once per relay worker: it opens the worker's relay I/O, then hosts bridges until the pool sends
 * `shutdown`. The task stays pending for the worker's whole life, so each of the pool's tasks owns exactly one thread.
 */
import process from 'node:process';
import { threadId } from 'node:worker_threads';
import type { MessagePort } from 'node:worker_threads';
import { releaseOnExit } from './exit-release.ts';
import type { ReleaseSignal } from './exit-release.ts';
import { RelayHost } from './host.ts';
import { openRelayIo } from './io/select.ts';
import type { RelayIoChoice } from './io/types.ts';

type WorkerData = { port: MessagePort; io: RelayIoChoice; release: ReleaseSignal };

export default async function relayWorker({ port, io: choice, release }: WorkerData): Promise<void> {
  const { io, fallback } = await openRelayIo(choice);
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
  host.post({ hello: { threadId, io: io.name, fallback } });
  await host.closed;
}
