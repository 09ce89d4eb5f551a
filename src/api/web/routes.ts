/**
 * The browser-facing, non-API routes: patchbay's own web UI at `/` (assets under `/ui/`), and, when the user has one,
 * GNS3's web UI at `/static/web-ui/` with the single-page-app fallback gns3-server gives it.
 */
import { Hono, type Context } from 'hono';
import { fail } from '../../errors/index.ts';
import { fileResponse, findAsset } from './static-files.ts';

export type WebUiOptions = {
  /** patchbay's built UI (`npm run build` writes dist/web). */
  ownUiDir: string;
  /** A gns3-web-ui build (the folder holding its index.html), from `--gns3-web-ui`. */
  gns3WebUiDir?: string;
};

/** The URL path after `prefix`, still percent-encoded: decoding is findAsset's job, done once. */
function encodedRest(c: Context, prefix: string): string {
  const { pathname } = new URL(c.req.url);
  return pathname.slice(prefix.length);
}

export function webUiRoutes({ ownUiDir, gns3WebUiDir }: WebUiOptions): Hono {
  const app = new Hono();

  app.get('/', async () => {
    const index = await findAsset(ownUiDir, 'index.html');
    if (!index) throw fail('WEB_UI_NOT_BUILT', ownUiDir);
    return fileResponse(index);
  });
  app.get('/ui/:path{.+}', async (c) => {
    const file = await findAsset(ownUiDir, encodedRest(c, '/ui/'));
    if (!file) throw fail('ROUTE_NOT_FOUND', c.req.method, c.req.path);
    return fileResponse(file);
  });

  app.get('/static/web-ui', (c) => c.redirect('/static/web-ui/', 302));
  // gns3-web-ui routes in the browser (/static/web-ui/server/1/project/…): unknown paths get its index.html.
  const gns3WebUi = async (c: Context) => {
    if (gns3WebUiDir === undefined) throw fail('GNS3_WEB_UI_NOT_INSTALLED');
    const file = (await findAsset(gns3WebUiDir, encodedRest(c, '/static/web-ui/'))) ?? (await findAsset(gns3WebUiDir, 'index.html'));
    if (!file) throw fail('GNS3_WEB_UI_NO_INDEX', gns3WebUiDir);
    return fileResponse(file);
  };
  app.get('/static/web-ui/', gns3WebUi);
  app.get('/static/web-ui/:path{.+}', gns3WebUi);
  return app;
}
