/** Server-level controller routes: version, computes, templates, symbols, and the safe stubs (GNS3 VM, appliances...). */
import { randomUUID } from 'node:crypto';
import { Hono } from 'hono';
import * as v from 'valibot';
import type { Controller } from '../../controller/controller.ts';
import { defaultSymbols } from '../../controller/symbols.ts';
import { body, decodeParam } from '../validate.ts';
import { AutoIdlePc, ComputeCreate, ComputeUpdate, Gns3Vm, IouLicense, VersionCheck } from '../../controller/schemas.ts';
import { fail } from '../../errors/index.ts';
import { GNS3VM_ENGINES, changedGns3Vm } from '../../controller/gns3vm.ts';

export function serverRoutes(controller: Controller): Hono {
  const app = new Hono();

  app.get('/version', (c) => c.json({ version: controller.version, local: controller.options.local }));
  app.post('/version', async (c) => {
    const { version } = await body(c, VersionCheck);
    if (version !== controller.version) throw fail('CLIENT_VERSION_MISMATCH', version, controller.version);
    return c.json({ version: controller.version });
  });
  app.post('/shutdown', () => {
    throw fail('LOCAL_SERVER_ONLY', 'stop');
  });
  app.post('/reload', (c) => c.json({}));
  app.post('/debug', () => {
    throw fail('LOCAL_SERVER_ONLY', 'debug');
  });
  app.get('/statistics', async (c) => {
    const computes = [...controller.computes.values()].filter((x) => x.connected);
    const results = await Promise.allSettled(computes.map((x) => x.query('GET', '/statistics')));
    return c.json(
      results.flatMap((r, i) => (r.status === 'fulfilled' ? [{ compute_id: computes[i].id, compute_name: computes[i].name, statistics: r.value }] : [])),
    );
  });
  app.get('/iou_license', (c) => c.json(controller.iouLicense));
  app.put('/iou_license', async (c) => {
    const input = await body(c, IouLicense);
    controller.iouLicense = { ...controller.iouLicense, ...Object.fromEntries(Object.entries(input).filter(([, x]) => x !== undefined)) };
    await controller.saveConfig();
    return c.json(controller.iouLicense, 201);
  });
  app.get('/gns3vm', (c) => c.json(controller.gns3vm));
  app.put('/gns3vm', async (c) => {
    controller.gns3vm = changedGns3Vm(controller.gns3vm, await body(c, Gns3Vm));
    await controller.saveConfig();
    return c.json(controller.gns3vm, 201);
  });
  app.get('/gns3vm/engines', (c) => c.json(GNS3VM_ENGINES));
  app.get('/gns3vm/engines/:engine/vms', (c) => c.json([]));
  app.get('/appliances', (c) => c.json([]));

  // ---- computes ----
  app.get('/computes', (c) => c.json([...controller.computes.values()].map((x) => x.toJSON())));
  app.post('/computes', async (c) => {
    const input = await body(c, ComputeCreate);
    return c.json((await controller.addCompute(input)).toJSON(), 201);
  });
  app.get('/computes/:compute_id', (c) => c.json(controller.getCompute(c.req.param('compute_id')).toJSON()));
  app.put('/computes/:compute_id', async (c) => {
    const compute = controller.getCompute(c.req.param('compute_id'));
    await controller.updateCompute(compute, await body(c, ComputeUpdate));
    return c.json(compute.toJSON());
  });
  app.delete('/computes/:compute_id', async (c) => {
    await controller.deleteCompute(c.req.param('compute_id'));
    return c.body(null, 204);
  });
  // gns3-server's way: a throw-away project holding one router, auto idle-PC on it, then the project goes.
  app.post('/computes/:compute_id/auto_idlepc', async (c) => {
    const { platform, image, ram } = await body(c, AutoIdlePc);
    const compute = controller.getCompute(c.req.param('compute_id'));
    const projectId = randomUUID();
    await compute.query('POST', '/projects', { name: 'AUTOIDLEPC', project_id: projectId });
    try {
      const router = (await compute.query('POST', `/projects/${projectId}/dynamips/nodes`, { name: 'AUTOIDLEPC', platform, image, ram })) as { node_id: string };
      return c.json(await compute.query('GET', `/projects/${projectId}/dynamips/nodes/${router.node_id}/auto_idlepc`, undefined, { timeoutMs: 240_000 }));
    } finally {
      await compute.query('DELETE', `/projects/${projectId}`).catch(() => undefined);
    }
  });
  app.get('/computes/:compute_id/ports', async (c) => c.json(await controller.getCompute(c.req.param('compute_id')).query('GET', '/network/ports')));
  app.get('/computes/endpoint/:compute_id/:emulator/:action{.+}', (c) => {
    const s = controller.getCompute(c.req.param('compute_id')).settings;
    return c.json({ endpoint: `${s.protocol}://${s.host}:${s.port}/v2/compute/${c.req.param('emulator')}/${c.req.param('action')}` });
  });
  app.get('/computes/:compute_id/:emulator/images', async (c) => {
    const images = (await controller.getCompute(c.req.param('compute_id')).query('GET', `/${c.req.param('emulator')}/images`)) as Array<Record<string, string>>;
    const key = ['qemu', 'dynamips', 'iou'].includes(c.req.param('emulator')) ? 'filename' : 'image';
    return c.json([...(images ?? [])].sort((a, b) => String(a[key]).localeCompare(String(b[key]))));
  });
  /** Generic forwarding (image uploads, VM lists, interfaces...). Bodies go through untouched. */
  const forward = async (c: import('hono').Context) => {
    const compute = controller.getCompute(c.req.param('compute_id'));
    const path = `/${c.req.param('emulator')}/${c.req.param('action') ?? ''}`.replace(/\/$/, '');
    const raw = c.req.method === 'GET' ? undefined : ((await c.req.arrayBuffer()) as ArrayBuffer);
    const response = await compute.fetch(c.req.method, path, raw && raw.byteLength > 0 ? { raw } : {});
    return new Response(response.body, { status: response.status, headers: { 'Content-Type': response.headers.get('content-type') ?? 'application/json' } });
  };
  for (const method of ['get', 'post', 'put'] as const) {
    app[method]('/computes/:compute_id/:emulator/:action{.+}', forward);
    app[method]('/computes/:compute_id/:emulator', forward);
  }

  // ---- templates ----
  app.get('/templates', (c) => c.json(controller.templates.list()));
  app.post('/templates', async (c) => c.json(await controller.templates.add(await body(c, v.record(v.string(), v.unknown()))), 201));
  app.get('/templates/:template_id', async (c) => {
    const template = controller.templates.get(c.req.param('template_id'));
    const bytes = new TextEncoder().encode(JSON.stringify(template));
    const digest = await crypto.subtle.digest('SHA-256', bytes);
    const etag = `"${Buffer.from(digest).toString('hex').slice(0, 32)}"`;
    if (c.req.header('if-none-match') === etag) return c.body(null, 304);
    c.header('ETag', etag);
    return c.json(template);
  });
  app.put('/templates/:template_id', async (c) => {
    const template = controller.templates.get(c.req.param('template_id'));
    return c.json(await controller.templates.update(template, await body(c, v.record(v.string(), v.unknown()))));
  });
  app.delete('/templates/:template_id', async (c) => {
    await controller.templates.delete(controller.templates.get(c.req.param('template_id')));
    return c.body(null, 204);
  });
  app.post('/templates/:template_id/duplicate', async (c) =>
    c.json(await controller.templates.duplicate(controller.templates.get(c.req.param('template_id'))), 201));

  // ---- symbols ----
  app.get('/symbols', async (c) => c.json(await controller.symbols.list()));
  app.get('/default_symbols', (c) => c.json(defaultSymbols()));
  app.get('/symbols/:symbol_id{.+}/raw', async (c) => {
    const { data, type } = await controller.symbols.raw(decodeParam(c.req.param('symbol_id')));
    return c.body(typeof data === 'string' ? data : (data as Uint8Array<ArrayBuffer>), 200, { 'Content-Type': type });
  });
  app.post('/symbols/:symbol_id{.+}/raw', async (c) => {
    await controller.symbols.save(decodeParam(c.req.param('symbol_id')), new Uint8Array(await c.req.arrayBuffer()));
    return c.body(null, 204);
  });
  app.get('/symbols/:symbol_id{.+}/dimensions', async (c) =>
    c.json(await controller.symbols.dimensions(decodeParam(c.req.param('symbol_id')))));

  return app;
}
