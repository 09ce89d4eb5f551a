/**
 * Route templates as GNS3 and OpenAPI write them (`/v2/compute/projects/{project_id}`), for logs, metrics labels and
 * the API document. Labels use the template, never the raw path, so metric cardinality stays bounded.
 */
import type { Context } from 'hono';
import { matchedRoutes } from 'hono/route';

/** `/projects/:project_id/files/:path{.+}` → `/projects/{project_id}/files/{path}`. */
export function templateOf(honoPath: string): string {
  return honoPath.replace(/:([A-Za-z0-9_]+)(\{[^}]*\})?/g, '{$1}');
}

/** Templates by Hono path: one per registered route, so bounded; spares a regex replace on every request's labels. */
const templates = new Map<string, string>();

function cachedTemplateOf(honoPath: string): string {
  let template = templates.get(honoPath);
  if (template === undefined) templates.set(honoPath, (template = templateOf(honoPath)));
  return template;
}

/** Template of the route that answered the request (call after `next()`); `unmatched` when only middleware ran. */
export function respondingTemplate(c: Context): string {
  const routes = matchedRoutes(c);
  const responder = routes[c.req.routeIndex];
  if (responder && responder.method !== 'ALL') return cachedTemplateOf(responder.path);
  // A middleware answered (auth, node lock error): name the endpoint it guarded, if any.
  const endpoint = routes.findLast((route) => route.method !== 'ALL');
  return endpoint ? cachedTemplateOf(endpoint.path) : 'unmatched';
}
