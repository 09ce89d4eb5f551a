/** Serves the OpenAPI document (`/v2/openapi.json`) and the reference page (`/docs`) of the app they are mounted in. */
import { Hono } from 'hono';
import type { DocumentOptions, RegisteredRoute } from './document.ts';

/**
 * `routes` is read on first use, once every route tree is mounted; the document is then cached. The generator (JSON
 * Schema conversion, the route catalogue with the controller's schemas) loads with that first request, so a daemon
 * nobody asks for its document never loads it.
 */
export function openApiRoutes(routes: () => RegisteredRoute[], options: DocumentOptions): Hono {
  let cached: Promise<{ json: string; html: string }> | null = null;
  const render = () =>
    (cached ??= Promise.all([import('./document.ts'), import('./docs-page.ts')]).then(([{ buildOpenApi }, { renderDocsPage }]) => {
      const document = buildOpenApi(routes(), options);
      return { json: JSON.stringify(document), html: renderDocsPage(document) };
    }));
  const app = new Hono();
  app.get('/v2/openapi.json', async (c) => c.body((await render()).json, 200, { 'Content-Type': 'application/json' }));
  app.get('/docs', async (c) => c.html((await render()).html));
  return app;
}
