/**
 * CORS the way gns3-server 2.2 answers it (aiohttp_cors with `expose_headers="*"`, `allow_headers="*"`, no
 * credentials flag), for a fixed list of origins: gns3-web-ui served from another origin must be able to call the API.
 *
 * - A request from a listed origin gets `Access-Control-Allow-Origin: <origin>` and
 *   `Access-Control-Expose-Headers` naming every non-safelisted header of the answer; other origins get nothing.
 * - Every `OPTIONS` is a preflight, answered before authentication (browsers never send credentials on one):
 *   200 with the requested method and headers echoed, or 403 `text/plain` saying why.
 */
import type { MiddlewareHandler } from 'hono';
import { setResponseHeaders } from './response-headers.ts';

/** Response headers a page may always read; aiohttp_cors leaves them out of Expose-Headers. */
const SAFELISTED = new Set(['cache-control', 'content-language', 'content-type', 'expires', 'last-modified', 'pragma']);

export type CorsOptions = {
  /** Allowed origins, compared exactly; `*` allows any origin (still echoed, never a literal `*`). */
  origins: readonly string[];
  /** Whether a route answers `method` at `path`: a preflight for anything else is refused, as aiohttp_cors does. */
  hasRoute: (method: string, path: string) => boolean;
};

/** Header names in the casing aiohttp writes them (`X-Route`, `Content-Length`). */
const titleCase = (name: string) => name.replace(/(^|-)([a-z])/g, (_m, dash: string, letter: string) => dash + letter.toUpperCase());

/** Added by the HTTP server after the app answered, so not visible here; aiohttp lists them (observed live). */
const SERVER_ADDED = ['Connection', 'Content-Length', 'Date'];

/** The Expose-Headers value for an answer: its own headers minus the safelisted and CORS ones, plus SERVER_ADDED. */
export function exposedHeaders(headers: Headers): string {
  const names = new Set<string>();
  headers.forEach((_value, name) => {
    if (!SAFELISTED.has(name) && !name.startsWith('access-control-')) names.add(titleCase(name));
  });
  for (const name of SERVER_ADDED) names.add(name);
  return [...names].join(',');
}

const refuse = (why: string) =>
  new Response(`CORS preflight request failed: ${why}`, { status: 403, headers: { 'Content-Type': 'text/plain; charset=utf-8' } });

/**
 * @example app.use('*', cors({ origins: GNS3_CORS_ORIGINS, hasRoute: (m, p) => router.has(m, p) }))
 */
export function cors({ origins, hasRoute }: CorsOptions): MiddlewareHandler {
  const anyOrigin = origins.includes('*');
  const listed = new Set(origins);
  const allowed = (origin: string) => anyOrigin || listed.has(origin);

  return async function cors(c, next) {
    const origin = c.req.header('origin');
    if (c.req.method === 'OPTIONS') {
      if (origin === undefined) return refuse('origin header is not specified in the request');
      if (!allowed(origin)) return refuse(`origin '${origin}' is not allowed`);
      const method = c.req.header('access-control-request-method');
      if (method === undefined) return refuse("'Access-Control-Request-Method' header is not specified");
      if (!hasRoute(method.toUpperCase(), c.req.path)) return refuse(`request method '${method}' is not allowed for '${origin}' origin`);
      const headers = new Headers({ 'Access-Control-Allow-Origin': origin, 'Access-Control-Allow-Methods': method, 'Access-Control-Max-Age': '0' });
      const requested = (c.req.header('access-control-request-headers') ?? '').split(',').map((h) => h.trim()).filter(Boolean);
      if (requested.length > 0) headers.set('Access-Control-Allow-Headers', requested.map((h) => h.toUpperCase()).join(','));
      return new Response(null, { status: 200, headers });
    }
    await next();
    if (origin === undefined || !allowed(origin) || c.res.status === 101) return;
    const exposed = exposedHeaders(c.res.headers);
    setResponseHeaders(c, { 'Access-Control-Allow-Origin': origin, 'Access-Control-Expose-Headers': exposed });
  };
}
