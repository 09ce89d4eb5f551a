/**
 * The GNS3 3.0 controller API (`/v3/...`) as one Hono sub-app over the same controller as /v2. Order matters:
 * routes without a token (version, login, symbol images) and the WebSockets (`?token=` only) come before the bearer
 * middleware that guards everything else; unknown routes answer FastAPI's `{"detail": "Not Found"}`.
 */
import { Hono } from 'hono';
import type { Access } from '../../../access/index.ts';
import type { Controller } from '../../../controller/controller.ts';
import { ImageStore } from '../../../controller/image-store.ts';
import type { Runtime } from '../../../runtime/types.ts';
import { authenticate, type V3Env } from '../auth.ts';
import type { ComputeUsage } from '../compute.ts';
import { accessRoutes, loginRoutes } from './access.ts';
import { archiveRoutes } from './archives.ts';
import { hostFeatureRoutes } from './host-features.ts';
import { imageRoutes } from './images.ts';
import { notificationStreamRoutes, socketRoutes } from './notifications.ts';
import { poolRoutes } from './pools.ts';
import { projectRoutes } from './projects.ts';
import { publicRoutes, serverRoutes } from './server.ts';
import { templateRoutes } from './templates.ts';

export function v3ControllerRoutes(controller: Controller, access: Access, runtime: Runtime, info: { version: string; usage: ComputeUsage; imagesDir: string }): Hono {
  const app = new Hono<V3Env>();
  const images = new ImageStore(info.imagesDir);
  app.route('/', publicRoutes(controller, info.version, info.usage));
  app.route('/', loginRoutes(access));
  app.route('/', socketRoutes(controller, access, runtime));
  app.use('*', authenticate(access));
  app.route('/', accessRoutes(access, controller));
  app.route('/', poolRoutes(controller, access));
  app.route('/', notificationStreamRoutes(controller, access));
  app.route('/', serverRoutes(controller, access));
  app.route('/', templateRoutes(controller, access, images));
  app.route('/', hostFeatureRoutes(controller, access));
  app.route('/', imageRoutes(controller, access, images));
  app.route('/', archiveRoutes(controller, access));
  app.route('/', projectRoutes(controller, access));
  app.all('*', (c) => c.json({ detail: 'Not Found' }, 404));
  // The `user` variable is set and read inside this tree only; the root app need not know it.
  return app as unknown as Hono;
}
