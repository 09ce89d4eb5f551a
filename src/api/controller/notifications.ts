/** The four notification endpoints: controller and project scope, each as a chunked HTTP stream and as a WebSocket. */
import { Hono, type Context } from 'hono';
import type { Controller } from '../../controller/controller.ts';
import { frame, type Listener } from '../../controller/notification-hub.ts';
import type { Runtime } from '../../runtime/types.ts';
import { fail } from '../../errors/index.ts';

/** One JSON object per line, until the client goes away. */
function httpStream(listener: Listener): Response {
  const encoder = new TextEncoder();
  const stream = new ReadableStream<Uint8Array>({
    async pull(controller) {
      const message = await listener.next();
      if (!message) return controller.close();
      controller.enqueue(encoder.encode(frame(message) + '\n'));
    },
    cancel() {
      listener.close();
    },
  });
  return new Response(stream, { headers: { 'Content-Type': 'application/json', 'Cache-Control': 'no-cache' } });
}

async function wsStream(runtime: Runtime, c: Context, open: () => Listener): Promise<Response> {
  const upgrade = runtime.upgradeWebSocket(() => {
    let listener: Listener | undefined;
    return {
      onOpen(_event, ws) {
        const current = (listener = open());
        void (async () => {
          for (let message = await current.next(); message; message = await current.next()) {
            try {
              ws.send(frame(message));
            } catch {
              current.close();
            }
          }
        })();
      },
      onClose() {
        listener?.close();
      },
      onError() {
        listener?.close();
      },
    };
  });
  // Without an Upgrade header the middleware only calls next(): answer like aiohttp (400) instead of an unfinalized 500.
  const response = await upgrade(c, async () => {});
  if (!response) throw fail('NOT_A_WEBSOCKET');
  return response;
}

export function notificationRoutes(controller: Controller, runtime: Runtime): Hono {
  const app = new Hono();
  app.get('/notifications', () => httpStream(controller.hub.listenController()));
  app.get('/notifications/ws', (c) => wsStream(runtime, c, () => controller.hub.listenController()));
  app.get('/projects/:project_id/notifications', (c) => {
    const project = controller.getProject(c.req.param('project_id'));
    return httpStream(controller.hub.listenProject(project.id));
  });
  app.get('/projects/:project_id/notifications/ws', (c) => {
    const project = controller.getProject(c.req.param('project_id'));
    return wsStream(runtime, c, () => controller.hub.listenProject(project.id));
  });
  return app;
}
