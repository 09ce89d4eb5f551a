/** The GNS3 v2.2 compute API (`/v2/compute/...`) as one Hono sub-app. */
import { Hono } from 'hono';
import type { Compute } from '../../compute/compute.ts';
import type { Runtime } from '../../runtime/types.ts';
import { dockerRoutes } from './docker.ts';
import { imageRoutes } from './images.ts';
import { nodeRoutes } from './nodes.ts';
import { projectRoutes } from './projects.ts';
import { qemuDiskRoutes } from './qemu-disks.ts';
import { serverRoutes, type ComputeInfo } from './server.ts';
import { streamRoutes } from './streams.ts';

export type { ComputeInfo } from './server.ts';

export function computeRoutes(compute: Compute, runtime: Runtime, info: ComputeInfo): Hono {
  const app = new Hono();
  app.route('/', serverRoutes(compute, runtime, info));
  app.route('/', projectRoutes(compute));
  app.route('/', streamRoutes(compute, runtime));
  app.route('/', imageRoutes(compute));
  app.route('/', dockerRoutes(compute));
  app.route('/', nodeRoutes(compute));
  app.route('/', qemuDiskRoutes(compute));
  return app;
}
