/** v3 controller-level routes: computes, symbols, and the small server routes (reload, statistics...). */
import { Hono, type Context } from 'hono';
import type { Access } from '../../../access/index.ts';
import type { Controller } from '../../../controller/controller.ts';
import { defaultSymbols } from '../../../controller/symbols.ts';
import { fail } from '../../../errors/index.ts';
import { decodeParam } from '../../validate.ts';
import { guard, type V3Env } from '../auth.ts';
import type { ComputeUsage } from '../compute.ts';
import { v3ErrorHandler } from '../errors.ts';
import { ComputeCreate, ComputeUpdate } from '../schemas.ts';
import { computeRow, createdComputeRow } from '../shapes.ts';
import { NAMESPACE_URL, uuid5 } from '../uuid5.ts';
import { queryFlag, v3Body } from '../validate.ts';
import * as v from 'valibot';

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
    const compute = await controller.addCompute(
      { ...input, compute_id: computeId, name: input.name ?? `${input.protocol}://${input.user}@${input.host}:${input.port}` },
      { connect },
    );
    // A failed connection is reported, the registration stays (as in 3.0).
    if (connect && !(await compute.waitConnected())) throw fail('COMPUTE_CONNECT_FAILED', compute.lastError ?? `Cannot connect to compute '${compute.name}'`);
    return c.json(createdComputeRow(compute), 201);
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
