/** Setting headers on the response a handler already returned, from a middleware running after `next()`. */
import type { Context } from 'hono';

/**
 * Sets `headers` in place. Hono's `c.header()` would rebuild a finished response: on Node that builds a full undici
 * Response, whose body @hono/node-server then has to stream instead of writing it at once (~0.13 ms per request).
 * Only a response whose headers are immutable (one passed through from fetch()) is rebuilt that way.
 */
export function setResponseHeaders(c: Context, headers: Record<string, string>): void {
  try {
    for (const [name, value] of Object.entries(headers)) c.res.headers.set(name, value);
  } catch {
    for (const [name, value] of Object.entries(headers)) c.header(name, value);
  }
}
