/**
 * What differs between Node and Deno: serving HTTP(S) and upgrading WebSockets. Everything else uses `node:` modules.
 * The runtime adapters are the server side of Hono, so this folder imports hono as src/api does (and nothing else in
 * src/ does: test/architecture/layers.test.ts).
 */
import type { Hono } from 'hono';
import type { UpgradeWebSocket } from 'hono/ws';

export type ListenOptions = {
  hostname: string;
  port: number;
  /** PEM text of the TLS certificate and key; both set means HTTPS. */
  tls?: { cert: string; key: string };
};

export type Listening = {
  port: number;
  close(): Promise<void>;
};

export interface Runtime {
  readonly name: 'node' | 'deno';
  readonly upgradeWebSocket: UpgradeWebSocket;
  listen(app: Hono, options: ListenOptions): Promise<Listening>;
}
