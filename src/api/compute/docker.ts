/** Docker routes that are not about one node: the compute's local images. */
import { Hono } from 'hono';
import type { Compute } from '../../compute/compute.ts';
import type { DockerDriver } from '../../compute/docker/driver.ts';

export function dockerRoutes(compute: Compute): Hono {
  const app = new Hono();
  app.get('/docker/images', async (c) => {
    const driver = compute.driver('docker') as DockerDriver;
    return c.json(await driver.engine.images());
  });
  return app;
}
