/** The GNS3 v2.2 controller API (`/v2/...`) as one Hono sub-app, mounted at `/v2` after the compute tree. */
import { Hono } from 'hono';
import type { Controller } from '../../controller/controller.ts';
import type { Runtime } from '../../runtime/types.ts';
import { archiveRoutes } from './archives.ts';
import { notificationRoutes } from './notifications.ts';
import { projectRoutes } from './projects.ts';
import { serverRoutes } from './server.ts';

export function controllerRoutes(controller: Controller, runtime: Runtime): Hono {
  const app = new Hono();
  app.route('/', notificationRoutes(controller, runtime));
  app.route('/', serverRoutes(controller));
  app.route('/', archiveRoutes(controller));
  app.route('/', projectRoutes(controller, runtime));
  return app;
}
