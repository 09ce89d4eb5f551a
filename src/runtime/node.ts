/**
 * Node adapter: @hono/node-server, with `ws` for WebSocket upgrades loaded on the first one (lazy-ws.ts), and
 * `node:https` loaded only when TLS is configured.
 */
import type { AddressInfo } from 'node:net';
import { serve, upgradeWebSocket } from '@hono/node-server';
import type { UpgradeWebSocket } from 'hono/ws';
import { LazyWebSocketServer } from './lazy-ws.ts';
import type { Listening, Runtime } from './types.ts';

export const nodeRuntime: Runtime = {
  name: 'node',
  upgradeWebSocket: upgradeWebSocket as unknown as UpgradeWebSocket,
  async listen(app, { hostname, port, tls }) {
    const wss = new LazyWebSocketServer();
    const https = tls ? await import('node:https') : undefined;
    return new Promise<Listening>((resolve, reject) => {
      const server = serve(
        {
          fetch: app.fetch,
          hostname,
          port,
          websocket: { server: wss },
          ...(tls && https ? { createServer: https.createServer, serverOptions: { cert: tls.cert, key: tls.key } } : {}),
        },
        (info: AddressInfo) =>
          resolve({
            port: info.port,
            close: () =>
              new Promise<void>((done) => {
                wss.close();
                server.close(() => done());
                (server as { closeAllConnections?: () => void }).closeAllConnections?.();
              }),
          }),
      );
      server.once('error', reject);
    });
  },
};
