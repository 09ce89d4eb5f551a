/** Console backends: an emulator's own telnet port on 127.0.0.1, or the pipes of a pseudo-terminal helper. */
import type { Socket } from 'node:net';
import { connectWhenListening } from '../tcp-connect.ts';
import type { Writable, Readable } from 'node:stream';
import type { ConsoleBackend } from './telnet-console.ts';

/** Connects to an emulator's own console port (as GNS3: give it 6 s to start listening). */
export async function tcpBackend(port: number, timeoutMs = 6000): Promise<ConsoleBackend & { socket: Socket }> {
  const socket = await connectWhenListening(port, timeoutMs);
  socket.setNoDelay(true);
  socket.on('error', () => socket.destroy());
  return {
    socket,
    write: (data) => {
      if (!socket.destroyed) socket.write(data);
    },
    onData: (listener) => socket.on('data', listener),
  };
}

export function pipeBackend(stdin: Writable, stdout: Readable): ConsoleBackend {
  return {
    write: (data) => {
      if (!stdin.destroyed) stdin.write(data);
    },
    onData: (listener) => stdout.on('data', listener),
  };
}
