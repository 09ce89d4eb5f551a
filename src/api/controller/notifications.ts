/** The four notification endpoints: controller and project scope, each as a chunked HTTP stream and as a WebSocket. */
import { Hono } from 'hono';
import type { Controller } from '../../controller/controller.ts';
import type { Runtime } from '../../runtime/types.ts';
import { httpStream, socketStream } from '../notification-streams.ts';

export function notificationRoutes(controller: Controller, runtime: Runtime): Hono {
  const app = new Hono();
  app.get('/notifications', () => httpStream(controller.hub.listenController()));
  app.get('/notifications/ws', (c) => socketStream(runtime, c, () => controller.hub.listenController()));
  app.get('/projects/:project_id/notifications', (c) => {
    const project = controller.getProject(c.req.param('project_id'));
    return httpStream(controller.hub.listenProject(project.id));
  });
  app.get('/projects/:project_id/notifications/ws', (c) => {
    const project = controller.getProject(c.req.param('project_id'));
    return socketStream(runtime, c, () => controller.hub.listenProject(project.id));
  });
  return app;
}
