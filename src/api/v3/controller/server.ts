/** v3 controller-level routes: computes, templates, symbols, and the small server routes (reload, statistics...). */
import { Hono, type Context } from 'hono';
import { createHash } from 'node:crypto';
import type { Access } from '../../../access/index.ts';
import type { RemoteCompute } from '../../../controller/remote-compute.ts';
import type { Controller } from '../../../controller/controller.ts';
import { defaultSymbols } from '../../../controller/symbols.ts';
import { templateKeys } from '../../../controller/templates.ts';
import { fail } from '../../../errors/index.ts';
import { decodeParam } from '../../validate.ts';
import { guard, type V3Env } from '../auth.ts';
import type { ComputeUsage } from '../compute.ts';
import { v3ErrorHandler } from '../errors.ts';
import { ComputeCreate, ComputeUpdate, TemplateCreate } from '../schemas.ts';
import { getTemplate, listTemplates, requireUserTemplate } from '../templates.ts';
import { NAMESPACE_URL, uuid5 } from '../uuid5.ts';
import { queryFlag, uuidParam, v3Body } from '../validate.ts';
import * as v from 'valibot';

const MASKED = '**********';

/** `GET /v3/computes` rows: what 3.0 keeps in its database, password masked, no live state. */
function computeRow(compute: RemoteCompute): Record<string, unknown> {
  const s = compute.settings;
  return { protocol: s.protocol, host: s.host, port: s.port, user: s.user, password: MASKED, name: s.name, created_at: null, updated_at: null, compute_id: s.compute_id };
}

/** The row plus live state, as `POST /v3/computes` answers and `compute.*` events carry. */
function computeLive(compute: RemoteCompute): Record<string, unknown> {
  const live = compute.toJSON();
  const caps = (live.capabilities ?? {}) as Record<string, unknown>;
  return {
    ...computeRow(compute),
    connected: live.connected, cpu_usage_percent: live.cpu_usage_percent, memory_usage_percent: live.memory_usage_percent, disk_usage_percent: null,
    last_error: live.last_error,
    capabilities: { version: caps.version ?? null, node_types: caps.node_types ?? [], platform: caps.platform ?? '', cpus: caps.cpus ?? 0, memory: caps.memory ?? 0, disk_size: caps.disk_size ?? 0 },
  };
}

const md5 = (text: string) => createHash('md5').update(text).digest('hex');

export function serverRoutes(controller: Controller, access: Access): Hono<V3Env> {
  const app = new Hono<V3Env>();
  app.onError(v3ErrorHandler);
  const can = (privilege: string) => guard(access, privilege);

  app.post('/reload', (c) => c.body(null, 204));
  app.post('/shutdown', () => {
    throw fail('LOCAL_SERVER_ONLY', 'stop');
  });
  app.get('/statistics', async (c) => {
    const computes = [...controller.computes.values()].filter((x) => x.connected);
    const results = await Promise.allSettled(computes.map((x) => x.query('GET', '/statistics')));
    return c.json(results.flatMap((r, i) => (r.status === 'fulfilled' ? [{ compute_id: computes[i].id, compute_name: computes[i].name, statistics: r.value }] : [])));
  });
  app.get('/iou_license', (c) => c.json(controller.iouLicense));
  app.get('/appliances', can('Appliance.Audit'), (c) => c.json([]));

  // ---- computes ----
  const registered = (c: Context) => {
    const id = c.req.param('compute_id')!;
    const compute = controller.computes.get(id);
    if (!compute || id === 'local') throw fail('COMPUTE_NOT_REGISTERED', id);
    return compute;
  };
  app.get('/computes', (c) => c.json([...controller.computes.values()].filter((x) => x.id !== 'local').map(computeRow)));
  app.post('/computes', can('Compute.Allocate'), async (c) => {
    const input = await v3Body(c, ComputeCreate);
    const connect = queryFlag(c, 'connect', false);
    const computeId = input.compute_id ?? uuid5(NAMESPACE_URL, `${input.protocol}://${input.host}:${input.port}`);
    if (controller.computes.has(computeId)) throw fail('COMPUTE_ALREADY_REGISTERED', computeId);
    const compute = await controller.addCompute({
      ...input, compute_id: computeId, name: input.name ?? `${input.protocol}://${input.user}@${input.host}:${input.port}`,
    });
    if (connect && !(await compute.waitConnected())) throw fail('COMPUTE_CONNECT_FAILED', compute.lastError ?? `Cannot connect to compute '${compute.name}'`);
    return c.json(computeLive(compute), 201);
  });
  app.get('/computes/:compute_id', (c) => c.json(computeRow(registered(c))));
  app.post('/computes/:compute_id/connect', async (c) => {
    const id = c.req.param('compute_id');
    const compute = controller.computes.get(id);
    if (!compute) throw fail('COMPUTE_NOT_FOUND', id);
    if (!compute.connected) compute.reconnect(compute.client);
    if (!(await compute.waitConnected())) throw fail('COMPUTE_CONNECT_FAILED', compute.lastError ?? `Cannot connect to compute '${compute.name}'`);
    return c.body(null, 204);
  });
  app.put('/computes/:compute_id', can('Compute.Modify'), async (c) => {
    const compute = registered(c);
    await controller.updateCompute(compute, await v3Body(c, ComputeUpdate));
    return c.json(computeRow(compute));
  });
  app.delete('/computes/:compute_id', can('Compute.Allocate'), async (c) => {
    await controller.deleteCompute(registered(c).id);
    return c.body(null, 204);
  });
  /** Deprecated generic forward to the compute (gns3-gui still uses it, e.g. `qemu/capabilities`). */
  const forward = async (c: Context) => {
    const compute = controller.getCompute(c.req.param('compute_id'));
    const path = `/${c.req.param('emulator')}/${c.req.param('action') ?? ''}`.replace(/\/$/, '');
    const raw = c.req.method === 'GET' ? undefined : await c.req.arrayBuffer();
    const response = await compute.fetch(c.req.method, path, raw && raw.byteLength > 0 ? { raw } : {});
    return new Response(response.body, { status: response.status, headers: { 'Content-Type': response.headers.get('content-type') ?? 'application/json' } });
  };
  app.post('/computes/:compute_id/dynamips/auto_idlepc', (c) => forward(c));
  for (const method of ['get', 'post', 'put'] as const) app[method]('/computes/:compute_id/:emulator/:action{.+}', forward);

  // ---- templates ----
  app.get('/templates', (c) => c.json(listTemplates(controller)));
  app.post('/templates', can('Template.Allocate'), async (c) => {
    const input = await v3Body(c, TemplateCreate);
    const allowed = templateKeys(input.template_type);
    const kept = Object.fromEntries(Object.entries(input).filter(([key]) => allowed.has(key) && key !== 'template_id' && key !== 'builtin'));
    if (listTemplates(controller).some((t) => t.name === input.name)) throw fail('TEMPLATE_NAME_TAKEN', input.name);
    return c.json(await controller.templates.add({ compute_id: null, ...kept }), 201);
  });
  app.get('/templates/:template_id', (c) => {
    const template = getTemplate(controller, uuidParam(c, 'template_id'));
    const etag = `"${md5(JSON.stringify(template))}"`;
    if (c.req.header('if-none-match') === etag) return c.body(null, 304);
    c.header('ETag', etag);
    return c.json(template);
  });
  app.put('/templates/:template_id', can('Template.Modify'), async (c) => {
    const template = getTemplate(controller, uuidParam(c, 'template_id'));
    requireUserTemplate(template, 'updated');
    const input = await v3Body(c, v.record(v.string(), v.unknown()));
    const allowed = templateKeys(template.template_type);
    return c.json(await controller.templates.update(template, Object.fromEntries(Object.entries(input).filter(([key]) => allowed.has(key)))));
  });
  app.delete('/templates/:template_id', can('Template.Allocate'), async (c) => {
    const template = getTemplate(controller, uuidParam(c, 'template_id'));
    requireUserTemplate(template, 'deleted');
    await controller.templates.delete(template);
    await access.store.dropAcesUnder(`/templates/${template.template_id}`);
    return c.body(null, 204);
  });
  app.post('/templates/:template_id/duplicate', can('Template.Allocate'), async (c) => {
    const template = getTemplate(controller, uuidParam(c, 'template_id'));
    requireUserTemplate(template, 'duplicated');
    return c.json(await controller.templates.duplicate(template), 201);
  });

  // ---- symbols ----
  app.get('/symbols', can('Symbol.Audit'), async (c) => c.json(await controller.symbols.list()));
  app.get('/symbols/default_symbols', can('Symbol.Audit'), (c) => c.json(defaultSymbols()));
  app.post('/symbols/:symbol_id{.+}/raw', can('Symbol.Allocate'), async (c) => {
    await controller.symbols.save(decodeParam(c.req.param('symbol_id')), new Uint8Array(await c.req.arrayBuffer()));
    return c.body(null, 204);
  });
  app.get('/symbols/:symbol_id{.+}/dimensions', can('Symbol.Audit'), async (c) => c.json(await controller.symbols.dimensions(decodeParam(c.req.param('symbol_id')))));
  return app;
}

/** Routes 3.0 serves without a token: version, and symbol images (so `<img>` tags work). */
export function publicRoutes(controller: Controller, version: string, usage: ComputeUsage): Hono<V3Env> {
  const app = new Hono<V3Env>();
  app.onError(v3ErrorHandler);
  app.get('/version', (c) => c.json({ controller_host: usage.controllerHost, version, local: controller.options.local }));
  app.post('/version', async (c) => {
    const input = await v3Body(c, v.object({ version: v.string() }));
    if (input.version !== version) throw fail('CLIENT_VERSION_MISMATCH', input.version, version);
    return c.json({ version });
  });
  app.get('/symbols/:symbol_id{.+}/raw', async (c) => {
    const { data, type } = await controller.symbols.raw(decodeParam(c.req.param('symbol_id')));
    return c.body(typeof data === 'string' ? data : (data as Uint8Array<ArrayBuffer>), 200, { 'Content-Type': type });
  });
  return app;
}
