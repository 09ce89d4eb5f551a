/** Connecting to a port an emulator is about to open (its console, QEMU's monitor). */
import { connect, type Socket } from 'node:net';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** The emulator behind a port ended before the port answered: retrying until the deadline would only delay the error. */
export class GoneBeforeListening extends Error {}

/**
 * Connects to 127.0.0.1:`port`, retrying until `timeoutMs` while the emulator is still starting. Retries back off
 * from 2 ms to 100 ms: VPCS listens within a few milliseconds, so a fixed 100 ms wait (GNS3's) would dominate its
 * start time, while QEMU may take seconds. The first attempt also waits those 2 ms: callers have just started the
 * program, which cannot be listening yet (in a round of 100 VPCS starts traced with strace, 97 first attempts, made
 * at once, were refused), and a refused attempt costs the main thread ≈ 0.1–0.2 ms (a socket, an error and its stack,
 * a destroy); the attempts that follow come when they did before. Once `gone` (the emulator's exit) settles, the wait
 * ends with `GoneBeforeListening`.
 */
export async function connectWhenListening(port: number, timeoutMs: number, gone?: Promise<unknown>): Promise<Socket> {
  const deadline = performance.now() + timeoutMs;
  let ended = false;
  const end = gone?.then(() => (ended = true), () => (ended = true));
  let delay = 2;
  let lastError: unknown;
  for (;;) {
    await Promise.race(end ? [sleep(delay), end] : [sleep(delay)]);
    if (ended) throw new GoneBeforeListening(`The emulator exited before port ${port} answered`);
    if (performance.now() >= deadline) break;
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
      delay = Math.min(delay * 2, 100);
    }
  }
  throw new Error(`Could not connect to port ${port}: ${(lastError as Error)?.message ?? 'timed out'}`);
}
