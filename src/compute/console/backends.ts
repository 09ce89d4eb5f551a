/**
 * Console backends: an emulator's own telnet port on 127.0.0.1, the pipes of a pseudo-terminal helper, or any duplex
 * stream (a pseudo-terminal's master side, a container's TTY).
 */
import { connect, type Socket } from 'node:net';
import { connectWhenListening } from '../tcp-connect.ts';
import type { Duplex, Writable, Readable } from 'node:stream';
import type { ConsoleBackend } from './telnet-console.ts';

/**
 * Connects to an emulator's own console port (as GNS3: give it 6 s to start listening, less if `gone`, its exit,
 * settles first).
 */
export async function tcpBackend(port: number, timeoutMs = 6000, gone?: Promise<unknown>): Promise<ConsoleBackend & { socket: Socket }> {
  const socket = await connectWhenListening(port, timeoutMs, gone);
  socket.setNoDelay(true);
  socket.on('error', () => socket.destroy());
  return {
    socket,
    write: (data) => {
      if (!socket.destroyed) socket.write(data);
    },
    onData: (listener) => {
      socket.on('data', listener);
      return () => socket.off('data', listener);
    },
  };
}

/**
 * `backend`, keeping what clients type until the emulator's output first matches `ready` (or `maxHoldMs` passed).
 * VPCS discards input that reaches it before it has finished its telnet negotiation and shown its prompt: a line typed
 * to its own port right after connecting was answered 0 times in 12, after its prompt 32 in 32, so a client typing the
 * moment a start returned could lose its line.
 */
export function holdInputUntil<B extends ConsoleBackend>(backend: B, ready: RegExp, maxHoldMs: number): B {
  let held: Uint8Array[] | null = [];
  let tail = '';
  const release = () => {
    if (!held) return;
    const queued = held;
    held = null;
    clearTimeout(timer);
    for (const data of queued) backend.write(data);
  };
  const timer = setTimeout(release, maxHoldMs);
  timer.unref?.();
  backend.onData((chunk) => {
    if (!held) return;
    tail = (tail + chunk.toString('latin1')).slice(-64);
    if (ready.test(tail)) release();
  });
  return { ...backend, write: (data: Uint8Array) => (held ? held.push(data) : backend.write(data)) };
}

/** Adds `listener` to `listeners`, for a backend that fans its output out by itself; returns what removes it. */
export function addListener<L>(listeners: L[], listener: L): () => void {
  listeners.push(listener);
  return () => {
    const at = listeners.indexOf(listener);
    if (at >= 0) listeners.splice(at, 1);
  };
}

/** A backend reading and writing one stream; `close` destroys it. A stream error (its other end gone) just ends it. */
export function duplexBackend(stream: Duplex): ConsoleBackend & { close(): void } {
  stream.on('error', () => stream.destroy());
  return { ...pipeBackend(stream, stream), close: () => stream.destroy() };
}

export function pipeBackend(stdin: Writable, stdout: Readable): ConsoleBackend {
  return {
    write: (data) => {
      if (!stdin.destroyed) stdin.write(data);
    },
    onData: (listener) => {
      stdout.on('data', listener);
      return () => stdout.off('data', listener);
    },
  };
}

/**
 * An emulator console port that is connected only while a client is: Dynamips keeps what the router prints while
 * nobody is connected and replays it to the next connection, so a boot banner is not lost to an empty multiplexer.
 */
export function onDemandTcpBackend(port: number): ConsoleBackend & { close(): void } {
  const listeners: Array<(data: Buffer) => void> = [];
  let socket: Socket | null = null;
  const drop = () => {
    socket?.destroy();
    socket = null;
  };
  return {
    write: (data) => {
      if (socket && !socket.destroyed) socket.write(data);
    },
    onData: (listener) => addListener(listeners, listener),
    clients: (count) => {
      if (count === 0) return drop();
      if (socket) return;
      const opened = connect({ host: '127.0.0.1', port });
      opened.setNoDelay(true);
      opened.on('data', (data) => listeners.forEach((listener) => listener(data)));
      opened.on('error', () => opened.destroy());
      opened.on('close', () => {
        if (socket === opened) socket = null;
      });
      socket = opened;
    },
    close: drop,
  };
}
