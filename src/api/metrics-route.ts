/** `GET /metrics`: the registry (src/metrics) in Prometheus text format. */
import { Hono } from 'hono';
import type { Registry } from '../metrics/registry.ts';

export function metricsRoutes(registry: Registry): Hono {
  const app = new Hono();
  app.get('/metrics', async (c) => c.body(await registry.render(), 200, { 'Content-Type': 'text/plain; version=0.0.4; charset=utf-8' }));
  return app;
}
