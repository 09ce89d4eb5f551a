/** Connecting to a port an emulator is about to open (its console, QEMU's monitor). */
import { connect, type Socket } from 'node:net';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** The emulator behind a port ended before the port answered: retrying until the deadline would only delay the error. */
export class GoneBeforeListening extends Error {}

/**
 * Connects to 127.0.0.1:`port`, retrying until `timeoutMs` while the emulator is still starting. Retries back off
 * from 2 ms to 100 ms: VPCS listens within a few milliseconds, so a fixed 100 ms wait (GNS3's) would dominate its
 * start time, while QEMU may take seconds. Once `gone` (the emulator's exit) settles, the wait ends with
 * `GoneBeforeListening`.
 */
export async function connectWhenListening(port: number, timeoutMs: number, gone?: Promise<unknown>): Promise<Socket> {
  const deadline = performance.now() + timeoutMs;
  let ended = false;
  const end = gone?.then(() => (ended = true), () => (ended = true));
  let delay = 2;
  let lastError: unknown;
  while (performance.now() < deadline) {
    try {
      return await new Promise<Socket>((resolve, reject) => {
        const socket = connect({ host: '127.0.0.1', port }, () => {
          socket.off('error', reject);
          resolve(socket);
        });
        socket.once('error', reject);
      });
    } catch (err) {
      lastError = err;
      await Promise.race(end ? [sleep(delay), end] : [sleep(delay)]);
      if (ended) throw new GoneBeforeListening(`The emulator exited before port ${port} answered`);
      delay = Math.min(delay * 2, 100);
    }
  }
  throw new Error(`Could not connect to port ${port}: ${(lastError as Error)?.message ?? 'timed out'}`);
}
