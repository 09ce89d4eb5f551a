/** The GNS3 v2.2 compute API (`/v2/compute/...`) as one Hono sub-app. */
import { Hono } from 'hono';
import type { Compute } from '../../compute/compute.ts';
import type { Runtime } from '../../runtime/types.ts';
import { dockerRoutes } from './docker.ts';
import { gns3ErrorHandler, gns3NotFound } from '../error-response.ts';
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

/**
 * The compute routes as the controller of this process calls them: in-process, below the root app's middleware (no
 * second access log, metrics, drain or auth for a request the controller already took through them), with GNS3 error
 * bodies. Paths are the compute's own (`/projects/...`, no `/v2/compute` prefix). `env` is the server's binding of the
 * outer request, for the routes that upgrade to a WebSocket (the /v3/compute translation passes it on).
 */
export type InProcessFetch = (request: Request, env?: unknown) => Promise<Response>;
export function inProcessCompute(routes: Hono, onInternalError: (err: Error) => void): InProcessFetch {
  const app = new Hono();
  app.route('/', routes);
  app.notFound(gns3NotFound);
  app.onError(gns3ErrorHandler(onInternalError));
  return async (request, env) => app.fetch(request, env);
}
