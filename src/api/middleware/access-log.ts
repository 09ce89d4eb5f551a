/** Access log: one debug record per request, with the route template, status and time spent in the agent. */
import type { MiddlewareHandler } from 'hono';
import { respondingTemplate } from '../route-template.ts';
import type { Logger } from '../../log/logger.ts';

export function accessLog(log: Logger): MiddlewareHandler {
  // A logger's level is fixed when it is made: below debug, pass requests straight on, without an async frame and its
  // promise per request.
  if (!log.enabled('debug')) return (_c, next) => next();
  return async function accessLog(c, next) {
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
