/** The root HTTP app: CORS, server header, auth, GNS3 error bodies, and the compute (and controller) route trees. */
import { Hono, type MiddlewareHandler } from 'hono';
import { TrieRouter } from 'hono/router/trie-router';
import { gns3ErrorHandler, gns3NotFound } from './error-response.ts';
import { basicAuth, type Credentials } from './middleware/basic-auth.ts';
import { cors } from './middleware/cors.ts';
import { setResponseHeaders } from './middleware/response-headers.ts';

export type AppOptions = {
  serverHeader: string;
  auth?: Credentials;
  /** Origins whose pages may call the API (CORS); none when absent. */
  corsOrigins?: readonly string[];
  /** Sub-apps by mount point, e.g. `{ '/v2/compute': computeApp }`, mounted in order. */
  mounts: Array<[string, Hono]>;
  /** Middleware that sees every request first, rejected ones included (access log, metrics, shutdown drain). */
  before?: MiddlewareHandler[];
  /** Reports unexpected errors (answered with 500); default console.error. */
  onInternalError?: (err: Error) => void;
};

/** Answers whether a route (not a middleware) handles `method` at `path`, from the app's registered routes. */
function routeLookup(app: Hono): (method: string, path: string) => boolean {
  let router: TrieRouter<true> | undefined;
  return (method, path) => {
    // Built on first use: routes are all registered by then, and apps that never see a preflight pay nothing.
    if (!router) {
      router = new TrieRouter<true>();
      for (const route of app.routes) if (route.method !== 'ALL') router.add(route.method, route.path, true);
    }
    return router.match(method === 'HEAD' ? 'GET' : method, path)[0].length > 0;
  };
}

export function createApp({ serverHeader, auth, corsOrigins, mounts, before = [], onInternalError = console.error }: AppOptions): Hono {
  const app = new Hono();
  for (const middleware of before) app.use('*', middleware);
  // Before auth: preflights carry no credentials, and a 401 must still be readable by the calling page.
  if (corsOrigins) app.use('*', cors({ origins: corsOrigins, hasRoute: routeLookup(app) }));
  app.use('*', async function serverHeaders(c, next) {
    const started = performance.now();
    await next();
    setResponseHeaders(c, {
      Server: serverHeader,
      // Lets clients (and our concurrency tests) see how long the request spent inside the agent, lock waits included.
      'Server-Timing': `app;dur=${(performance.now() - started).toFixed(2)}`,
    });
  });
  // /v3 authenticates by itself (bearer tokens for the controller, compute credentials for /v3/compute).
  if (auth) app.use('*', basicAuth(auth, (path) => path === '/v3' || path.startsWith('/v3/')));
  for (const [path, sub] of mounts) app.route(path, sub);
  app.notFound(gns3NotFound);
  app.onError(gns3ErrorHandler(onInternalError));
  return app;
}
