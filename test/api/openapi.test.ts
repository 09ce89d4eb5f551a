/** The OpenAPI document: valid OpenAPI 3.1, and it documents every route the Hono app registers (compute and controller). */
import t from 'tap';
import { Validator } from '@seriousme/openapi-schema-validator';
import { ROUTE_DOCS } from '../../src/api/openapi/catalogue.ts';
import { documentKey } from '../../src/api/openapi/document.ts';
import { templateOf } from '../../src/api/route-template.ts';
import { withApp } from '../helpers/app.ts';

t.test('the document validates and covers every registered route', async (t) => {
  // Controller mode: both the compute tree and the controller tree are registered.
  const { daemon, api } = await withApp(t, 'controller');
  const response = await api('/v2/openapi.json');
  t.equal(response.status, 200);
  const document = await response.json();

  const validator = new Validator();
  const result = await validator.validate(structuredClone(document));
  t.ok(result.valid, 'valid according to the OpenAPI schema');
  if (!result.valid) t.comment(JSON.stringify(result.errors, null, 2).slice(0, 4000));
  t.equal(validator.version, '3.1', 'OpenAPI 3.1');

  const registered = daemon.app.routes.filter((r) => r.method !== 'ALL' && r.method !== 'HEAD');
  const missing = registered.filter((r) => !document.paths[templateOf(r.path)]?.[r.method.toLowerCase()]);
  t.same(missing.map(documentKey), [], 'every registered route is in the document');
  const undocumented = [...new Set(registered.map(documentKey))].filter((key) => !ROUTE_DOCS[key]);
  t.same(undocumented, [], 'every registered route has a catalogue entry (src/api/openapi/catalogue.ts)');
  const stale = Object.keys(ROUTE_DOCS).filter((key) => !registered.some((r) => documentKey(r) === key));
  t.same(stale, [], 'no catalogue entry for a route that no longer exists');
  t.ok(registered.length > 100, `${registered.length} routes checked`);

  const nodeCreate = document.paths['/v2/compute/projects/{project_id}/{node_type}/nodes'].post.requestBody.content['application/json'].schema;
  t.match(JSON.stringify(nodeCreate), /"startup_script"/, 'node bodies come from the drivers\' valibot schemas');
  t.same(document.paths['/v2/compute/statistics'].get.responses['200'].content['application/json'].schema.required.sort(), [
    'cpu_usage_percent', 'disk_usage_percent', 'load_average_percent', 'memory_free', 'memory_total', 'memory_usage_percent',
    'memory_used', 'swap_free', 'swap_total', 'swap_usage_percent', 'swap_used',
  ]);

  const page = await api('/docs');
  t.equal(page.status, 200);
  t.match(page.headers.get('content-type'), /text\/html/);
  const html = await page.text();
  t.notMatch(html, /<script|<link|src="http|href="http|@import/i, 'the page loads nothing from elsewhere');
  for (const r of registered) {
    if (!html.includes(`<code>${templateOf(r.path).replace(/&/g, '&amp;')}</code>`)) t.fail(`/docs lacks ${documentKey(r)}`);
  }
});
