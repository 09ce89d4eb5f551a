/** Console backends: an emulator's own telnet port on 127.0.0.1, or the pipes of a pseudo-terminal helper. */
import { connect, type Socket } from 'node:net';
import type { Writable, Readable } from 'node:stream';
import type { ConsoleBackend } from './telnet-console.ts';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Connects to an emulator console port, retrying while the emulator is still starting. Retries back off from 2 ms
 * to 100 ms: a VPCS listens within a few milliseconds, so a fixed 100 ms wait (GNS3's) would dominate start time.
 */
export async function tcpBackend(port: number, timeoutMs = 6000): Promise<ConsoleBackend & { socket: Socket }> {
  const deadline = performance.now() + timeoutMs;
  let delay = 2;
  let lastError: unknown;
  while (performance.now() < deadline) {
    try {
      const socket = await new Promise<Socket>((resolve, reject) => {
        const s = connect({ host: '127.0.0.1', port }, () => {
          s.off('error', reject);
          resolve(s);
        });
        s.once('error', reject);
      });
      socket.setNoDelay(true);
      socket.on('error', () => socket.destroy());
      return {
        socket,
        write: (data) => {
          if (!socket.destroyed) socket.write(data);
        },
        onData: (listener) => socket.on('data', listener),
      };
    } catch (err) {
      lastError = err;
      await sleep(delay);
      delay = Math.min(delay * 2, 100);
    }
  }
  throw new Error(`Could not connect to the console on port ${port}: ${(lastError as Error)?.message}`);
}

export function pipeBackend(stdin: Writable, stdout: Readable): ConsoleBackend {
  return {
    write: (data) => {
      if (!stdin.destroyed) stdin.write(data);
    },
    onData: (listener) => stdout.on('data', listener),
  };
}
