/** Access log: one debug record per request, with the route template, status and time spent in the agent. */
import type { MiddlewareHandler } from 'hono';
import { respondingTemplate } from '../route-template.ts';
import type { Logger } from '../../log/logger.ts';

export function accessLog(log: Logger): MiddlewareHandler {
  return async function accessLog(c, next) {
    // Skip the clock and the record entirely unless someone asked for debug output.
    if (!log.enabled('debug')) return next();
    const started = performance.now();
    try {
      await next();
    } finally {
      log.debug('request', {
        method: c.req.method,
        path: c.req.path,
        route: respondingTemplate(c),
        status: c.res.status,
        ms: Math.round((performance.now() - started) * 100) / 100,
      });
    }
  };
}
