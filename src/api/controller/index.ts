/** The GNS3 v2.2 controller API (`/v2/...`) as one Hono sub-app, mounted at `/v2` after the compute tree. */
import { Hono } from 'hono';
import type { Controller } from '../../controller/controller.ts';
import type { Runtime } from '../../runtime/types.ts';
import { archiveRoutes } from './archives.ts';
import { notificationRoutes } from './notifications.ts';
import { drawingRoutes } from './drawings.ts';
import { linkRoutes } from './links.ts';
import { nodeRoutes } from './nodes.ts';
import { projectFileRoutes } from './project-files.ts';
import { projectRoutes } from './projects.ts';
import { serverRoutes } from './server.ts';

export function controllerRoutes(controller: Controller, runtime: Runtime): Hono {
  const app = new Hono();
  app.route('/', notificationRoutes(controller, runtime));
  app.route('/', serverRoutes(controller));
  app.route('/', archiveRoutes(controller));
  // Same order as the routes were registered in one file: a static path (/projects/load, /nodes/console/reset) stays
  // ahead of the parameter route it would also match.
  app.route('/', projectRoutes(controller));
  app.route('/', projectFileRoutes(controller));
  app.route('/', nodeRoutes(controller, runtime));
  app.route('/', linkRoutes(controller));
  app.route('/', drawingRoutes(controller));
  return app;
}
