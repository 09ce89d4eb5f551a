/** Request counts and latency by route template and status, as a Hono middleware feeding the registry. */
import type { MiddlewareHandler } from 'hono';
import { respondingTemplate } from '../route-template.ts';
import type { Registry } from '../../metrics/registry.ts';

/** Seconds; spans a cached GET (sub-millisecond) to a QEMU start behind a node lock (tens of seconds). */
const LATENCY_BUCKETS = [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30];

/** The series one route and method feed: its latency, and its count per status. */
type RouteSeries = { observe: (seconds: number) => void; counts: Map<number, () => void> };

export function httpMetrics(registry: Registry): MiddlewareHandler {
  const requests = registry.counter('patchbay_http_requests_total', 'HTTP requests answered, by method, route template and status.');
  const latency = registry.histogram('patchbay_http_request_duration_seconds', 'Time from request to response head, by method and route template.', LATENCY_BUCKETS);
  let current = 0;
  // Read at scrape time rather than set twice per request.
  registry.gauge('patchbay_http_requests_in_flight', 'Requests being handled now.', () => current);
  // Bound series by route template, then method: bounded by the route table; spares every request two label objects
  // and the sorting and joining of their keys.
  const byRoute = new Map<string, Map<string, RouteSeries>>();
  const seriesOf = (method: string, route: string): RouteSeries => {
    let byMethod = byRoute.get(route);
    if (!byMethod) byRoute.set(route, (byMethod = new Map()));
    let series = byMethod.get(method);
    if (!series) byMethod.set(method, (series = { observe: latency.bind({ method, route }), counts: new Map() }));
    return series;
  };
  return async function httpMetrics(c, next) {
    const started = performance.now();
    current += 1;
    try {
      await next();
    } finally {
      current -= 1;
      const { method } = c.req;
      const route = respondingTemplate(c);
      const status = c.res.status;
      const series = seriesOf(method, route);
      let count = series.counts.get(status);
      if (!count) series.counts.set(status, (count = requests.bind({ method, route, status })));
      count();
      series.observe((performance.now() - started) / 1000);
    }
  };
}
