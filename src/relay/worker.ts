/**
 * Tinypool task run once per relay worker: it hosts bridges until the pool sends `shutdown`. The task stays pending
 * for the worker's whole life, so each of the pool's tasks owns exactly one thread.
 */
import { threadId } from 'node:worker_threads';
import type { MessagePort } from 'node:worker_threads';
import { RelayHost } from './host.ts';

export default async function relayWorker({ port }: { port: MessagePort }): Promise<void> {
  const host = new RelayHost(port);
  host.post({ hello: { threadId } });
  await host.closed;
}
