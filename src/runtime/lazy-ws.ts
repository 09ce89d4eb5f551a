/**
 * The WebSocket server handed to @hono/node-server (its `WebSocketServerLike`), loading `ws` on the first upgrade:
 * `ws` and the `https`, `tls` and `zlib` modules it requires cost ≈ 2.5 MiB of RSS, and an agent serving only HTTP
 * requests (most compute agents) never needs them.
 */
import { EventEmitter } from 'node:events';
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import type { WebSocket, WebSocketServer } from 'ws';

type HeadersListener = (headers: string[], request: IncomingMessage) => void;

export class LazyWebSocketServer extends EventEmitter {
  /** @hono/node-server attaches its own `upgrade` listener and refuses a server that would listen by itself. */
  readonly options = { noServer: true } as const;
  #loading: Promise<WebSocketServer> | undefined;
  #server: WebSocketServer | undefined;
  #closed = false;

  /** Connected clients (none before the first upgrade). */
  get clients(): ReadonlySet<WebSocket> {
    return this.#server?.clients ?? new Set();
  }

  handleUpgrade(request: IncomingMessage, socket: Duplex, head: Buffer, done: (ws: WebSocket) => void): void {
    // @hono/node-server adds its response headers through a `headers` listener attached only for the duration of this
    // call, so they are taken now and handed to the real server's handshake once it has loaded.
    const headerListeners = this.listeners('headers') as HeadersListener[];
    this.#load().then(
      (server) => {
        if (this.#closed) return socket.destroy();
        const addHeaders: HeadersListener = (headers, upgraded) => {
          if (upgraded === request) for (const listener of headerListeners) listener(headers, upgraded);
        };
        server.on('headers', addHeaders);
        try {
          // A socket closed meanwhile is destroyed by ws itself; @hono/node-server then drops its waiter.
          server.handleUpgrade(request, socket, head, done);
        } finally {
          server.off('headers', addHeaders);
        }
      },
      (err: Error) => socket.destroy(err),
    );
  }

  /** Terminates every client and refuses upgrades still waiting for `ws` to load. */
  close(): void {
    this.#closed = true;
    for (const client of this.clients) client.terminate();
    this.#server?.close();
  }

  #load(): Promise<WebSocketServer> {
    return (this.#loading ??= import('ws').then(({ WebSocketServer: Server }) => (this.#server = new Server({ noServer: true }))));
  }
}
