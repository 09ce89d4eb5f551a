/** Deno adapter: Deno.serve and Deno's native WebSocket upgrade. */
import { upgradeWebSocket } from 'hono/deno';
import type { UpgradeWebSocket } from 'hono/ws';
import type { Runtime } from './types.ts';

type DenoServer = { finished: Promise<void>; shutdown(): Promise<void>; addr: { port: number } };
type DenoServe = (
  options: { hostname: string; port: number; cert?: string; key?: string; onListen?: () => void },
  handler: (request: Request) => Response | Promise<Response>,
) => DenoServer;

export const denoRuntime: Runtime = {
  name: 'deno',
  upgradeWebSocket: upgradeWebSocket as unknown as UpgradeWebSocket,
  async listen(app, { hostname, port, tls }) {
    const serve = (globalThis as unknown as { Deno: { serve: DenoServe } }).Deno.serve;
    const server = serve({ hostname, port, ...(tls ?? {}), onListen: () => {} }, app.fetch);
    return { port: server.addr.port, close: () => server.shutdown() };
  },
};
