/** Request counts and latency by route template and status, as a Hono middleware feeding the registry. */
import type { MiddlewareHandler } from 'hono';
import { respondingTemplate } from '../route-template.ts';
import type { Registry } from '../../metrics/registry.ts';

/** Seconds; spans a cached GET (sub-millisecond) to a QEMU start behind a node lock (tens of seconds). */
const LATENCY_BUCKETS = [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30];

export function httpMetrics(registry: Registry): MiddlewareHandler {
  const requests = registry.counter('patchbay_http_requests_total', 'HTTP requests answered, by method, route template and status.');
  const latency = registry.histogram('patchbay_http_request_duration_seconds', 'Time from request to response head, by method and route template.', LATENCY_BUCKETS);
  let current = 0;
  // Read at scrape time rather than set twice per request.
  registry.gauge('patchbay_http_requests_in_flight', 'Requests being handled now.', () => current);
  return async function httpMetrics(c, next) {
    const started = performance.now();
    current += 1;
    try {
      await next();
    } finally {
      current -= 1;
      const route = respondingTemplate(c);
      requests.inc({ method: c.req.method, route, status: c.res.status });
      latency.observe({ method: c.req.method, route }, (performance.now() - started) / 1000);
    }
  };
}
