/** Serves the OpenAPI document (`/v2/openapi.json`) and the reference page (`/docs`) of the app they are mounted in. */
import { Hono } from 'hono';
import { buildOpenApi, type DocumentOptions, type RegisteredRoute } from './document.ts';
import { renderDocsPage } from './docs-page.ts';

/** `routes` is read on first use, once every route tree is mounted; the document is then cached. */
export function openApiRoutes(routes: () => RegisteredRoute[], options: DocumentOptions): Hono {
  let cached: { json: string; html: string } | null = null;
  const render = () => {
    if (!cached) {
      const document = buildOpenApi(routes(), options);
      cached = { json: JSON.stringify(document), html: renderDocsPage(document) };
    }
    return cached;
  };
  const app = new Hono();
  app.get('/v2/openapi.json', (c) => c.body(render().json, 200, { 'Content-Type': 'application/json' }));
  app.get('/docs', (c) => c.html(render().html));
  return app;
}
