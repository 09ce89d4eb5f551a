/** Node adapter: @hono/node-server with `ws` for WebSocket upgrades, optionally over TLS. */
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { serve, upgradeWebSocket } from '@hono/node-server';
import { WebSocketServer } from 'ws';
import type { UpgradeWebSocket } from 'hono/ws';
import type { Listening, Runtime } from './types.ts';

export const nodeRuntime: Runtime = {
  name: 'node',
  upgradeWebSocket: upgradeWebSocket as unknown as UpgradeWebSocket,
  listen(app, { hostname, port, tls }) {
    const wss = new WebSocketServer({ noServer: true });
    return new Promise<Listening>((resolve, reject) => {
      const server = serve(
        {
          fetch: app.fetch,
          hostname,
          port,
          websocket: { server: wss },
          ...(tls ? { createServer: createHttpsServer, serverOptions: { cert: tls.cert, key: tls.key } } : {}),
        },
        (info: AddressInfo) =>
          resolve({
            port: info.port,
            close: () =>
              new Promise<void>((done) => {
                for (const client of wss.clients) client.terminate();
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
