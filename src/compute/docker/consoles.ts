/**
 * Console backends of a Docker node, each served to telnet clients by the shared TelnetConsole multiplexer: the
 * container's TTY (attach), a shell started with exec for the aux console, and for `http`/`https` consoles a TCP
 * forwarder whose every connection is piped through `nc` run inside the container (the container has no Docker
 * network, so this is the only way in, as GNS3 does). Window sizes telnet clients announce resize the TTYs.
 */
import { createServer, type Server, type Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import type { ConsoleBackend } from '../console/telnet-console.ts';
import { addListener, duplexBackend } from '../console/backends.ts';
import type { DockerEngine } from './engine.ts';

/** PATH for shells we start: our busybox applets first, then the usual places. */
const SHELL_PATH = 'PATH=/gns3/bin:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin';

type Resize = (columns: number, rows: number) => Promise<void>;

/** Resizes without failing the console: a TTY gone with its container is not the client's problem (GNS3 only logs it). */
const quietly = (resize: Resize) => (columns: number, rows: number) => void resize(columns, rows).catch(() => {});

/** The container's TTY: its attach stream, resized through Docker. */
export function ttyBackend(engine: DockerEngine, containerId: string, stream: Duplex): ConsoleBackend & { close(): void } {
  return { ...duplexBackend(stream), resize: quietly((columns, rows) => engine.resize(containerId, rows, columns)) };
}

/**
 * The aux console: a busybox shell on a TTY made by exec. When the shell ends (`exit`), a new one is started so the
 * console keeps working while the container runs.
 */
export async function auxShellBackend(engine: DockerEngine, containerId: string): Promise<ConsoleBackend & { close(): void }> {
  const listeners: Array<(data: Buffer) => void> = [];
  let current: Duplex | null = null;
  let resizeCurrent: Resize | null = null;
  /** The last size a client announced, applied to every new shell. */
  let size: [number, number] | null = null;
  let closed = false;
  const spawn = async (): Promise<void> => {
    const { stream, resize } = await engine.exec(containerId, {
      cmd: ['/gns3/bin/sh', '-i'],
      env: [SHELL_PATH, 'TERM=vt100'],
      tty: true,
    });
    current = stream;
    resizeCurrent = resize;
    if (size) quietly(resize)(...size);
    stream.on('data', (data: Buffer) => {
      for (const listener of listeners) listener(data);
    });
    stream.on('error', () => stream.destroy());
    stream.on('close', () => {
      if (current === stream) current = null;
      // The container stopping ends the shell too: the node closes the console then, so no respawn.
      if (!closed) setTimeout(() => void spawn().catch(() => {}), 100);
    });
  };
  await spawn();
  return {
    write: (data) => {
      if (current && !current.destroyed) current.write(data);
    },
    onData: (listener) => addListener(listeners, listener),
    resize: (columns, rows) => {
      size = [columns, rows];
      if (resizeCurrent) quietly(resizeCurrent)(columns, rows);
    },
    close: () => {
      closed = true;
      current?.destroy();
    },
  };
}

/** Listens on `host:port` and forwards each connection to `127.0.0.1:<innerPort>` inside the container. */
export async function httpForwarder(
  engine: DockerEngine,
  containerId: string,
  host: string,
  port: number,
  innerPort: number,
): Promise<{ close(): Promise<void> }> {
  const sockets = new Set<Socket>();
  const server: Server = createServer((socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => socket.destroy());
    socket.pause();
    engine.exec(containerId, { cmd: ['/gns3/bin/nc', '127.0.0.1', String(innerPort)], tty: false })
      .then(({ stream, demux }) => {
        if (socket.destroyed) {
          stream.destroy();
          return;
        }
        demux(socket);
        socket.on('data', (data) => stream.write(data));
        socket.on('end', () => stream.end());
        socket.on('close', () => stream.destroy());
        stream.on('end', () => socket.end());
        stream.on('error', () => socket.destroy());
        socket.resume();
      })
      .catch(() => socket.destroy());
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen({ host, port, exclusive: true }, () => {
      server.off('error', reject);
      resolve();
    });
  });
  return {
    close: () => {
      for (const socket of sockets) socket.destroy();
      return new Promise((resolve) => server.close(() => resolve()));
    },
  };
}
