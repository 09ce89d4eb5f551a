/** Same-run reference for bench/load.ts: a bare Hono hello-world on the same runtime and server adapter. */
import { Hono } from 'hono';
import { serve } from '@hono/node-server';

const app = new Hono();
app.get('/v2/version', (c) => c.json({ version: '2.2.59', local: false }));
serve({ fetch: app.fetch, hostname: '127.0.0.1', port: 0 }, (info) => console.log(`listening on http://127.0.0.1:${info.port}`));
