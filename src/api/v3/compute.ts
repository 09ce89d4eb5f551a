/**
 * The GNS3 3.0 compute API (`/v3/compute/...`) over the same compute as `/v2/compute`. What 3.0 changed is handled
 * here: HTTP Basic on every route (WebSockets included, checked after the upgrade), `version`/`capabilities`
 * shapes, renamed capture routes, 204 for actions and writes, 422 `{"detail": [...]}` validation errors, pings
 * carrying `disk_usage_percent`. Everything else is the v2 compute route set, called in-process with the path
 * translated, so both APIs share one implementation of every node operation.
 */
import { Hono, type Context, type MiddlewareHandler } from 'hono';
import type * as v from 'valibot';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import { availableParallelism, totalmem } from 'node:os';
import { statfsSync } from 'node:fs';
import type { Compute } from '../../compute/compute.ts';
import { cpuUsagePercent, memoryUsagePercent } from '../../compute/host-stats.ts';
import type { Notification } from '../../compute/notifier.ts';
import { diskUsagePercentNow } from '../../metrics/host-statistics.ts';
import { clientAddress } from '../../runtime/client-address.ts';
import type { Runtime } from '../../runtime/types.ts';
import { isError } from '../../errors/index.ts';
import { sameSecret, type Credentials } from '../middleware/basic-auth.ts';
import type { InProcessFetch } from '../compute/index.ts';
import { eventSocket } from '../compute/event-socket.ts';

/** Who uses this process as a compute: `GET /v3/version` reports the last caller of `capabilities`. */
export type ComputeUsage = { controllerHost: string | null };

export type V3ComputeOptions = {
  compute: Compute;
  /** The v2 compute route set called in-process (`inProcessCompute(computeRoutes(...))`), answering the translated requests. */
  v2: InProcessFetch;
  runtime: Runtime;
  version: string;
  credentials: Credentials;
  usage: ComputeUsage;
};

/** 3.0 pings every 5 s of silence (2.2 every second). */
const IDLE_PING_MS = 5000;

/** v3 path → v2 path (the capture routes were renamed). */
export function v2PathOf(path: string): string {
  return path
    .replace(/\/capture\/start$/, '/start_capture')
    .replace(/\/capture\/stop$/, '/stop_capture')
    .replace(/\/capture\/stream$/, '/pcap');
}

const NODE_CREATE = /^\/projects\/[^/]+\/([a-z_]+)\/nodes$/;
const NODE_UPDATE = /^\/projects\/[^/]+\/([a-z_]+)\/nodes\/[^/]+$/;

/** Keys an object schema declares (undefined for other schemas: then nothing is dropped). */
function declaredKeys(schema: v.GenericSchema | undefined): Set<string> | undefined {
  const entries = (schema as { entries?: Record<string, unknown> } | undefined)?.entries;
  return entries ? new Set(Object.keys(entries)) : undefined;
}

/**
 * 3.0 computes ignore unknown keys in node bodies, and a 3.0 controller sends some (`builtin`, `usage`,
 * `compute_id` leak from templates): drop what the driver's v2 schema does not declare, so it does not refuse them.
 */
async function knownKeysOnly(compute: Compute, method: string, path: string, raw: ArrayBuffer): Promise<BodyInit> {
  const type = (method === 'POST' ? NODE_CREATE : method === 'PUT' ? NODE_UPDATE : undefined)?.exec(path)?.[1];
  const driver = type ? compute.drivers.get(type) : undefined;
  const keys = driver && declaredKeys(method === 'POST' ? driver.createSchema : driver.updateSchema);
  if (!keys) return raw;
  let parsed: unknown;
  try {
    parsed = JSON.parse(new TextDecoder().decode(raw));
  } catch {
    return raw; // The v2 route reports the broken JSON.
  }
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) return raw;
  return JSON.stringify(Object.fromEntries(Object.entries(parsed).filter(([key]) => keys.has(key))));
}

/** Successful v3 answers that carry no body where v2 had one. */
function noContent(method: string, path: string): boolean {
  if (method !== 'POST') return false;
  return /^\/projects\/[^/]+\/[a-z_]+\/nodes\/[^/]+\/(start|stop|suspend|reload|resume)$/.test(path)
    || /^\/projects\/[^/]+\/files\//.test(path)
    || /^\/(qemu|iou|dynamips)\/images\//.test(path);
}

const pingEvent = (projectsDir: string): Notification => ({
  action: 'ping',
  event: { cpu_usage_percent: cpuUsagePercent(), memory_usage_percent: memoryUsagePercent(), disk_usage_percent: diskUsagePercentNow(projectsDir) },
});

function diskSize(dir: string): number {
  try {
    const fs = statfsSync(dir);
    return fs.blocks * fs.bsize;
  } catch {
    return 0;
  }
}

/** v2 error body (`{status, message, ...}`) → 3.0 compute error body. */
async function v3Error(response: Response): Promise<Response> {
  const body = (await response.json().catch(() => ({}))) as Record<string, unknown>;
  const { status: _status, ...rest } = body;
  void _status;
  const message = String(body.message ?? '');
  if (response.status === 400 && /^Invalid (request|JSON)/.test(message)) {
    return Response.json({ detail: [{ type: 'value_error', loc: ['body'], msg: message, input: null }] }, { status: 422 });
  }
  if (response.status === 404 && message.startsWith('404: Not Found')) return Response.json({ message: 'Not Found' }, { status: 404 });
  return Response.json(rest, { status: response.status });
}

export function v3ComputeRoutes({ compute, v2, runtime, version, credentials, usage }: V3ComputeOptions): Hono {
  const expected = `Basic ${Buffer.from(`${credentials.user}:${credentials.password}`, 'utf8').toString('base64')}`;
  const authorized = (c: Context) => sameSecret(c.req.header('authorization') ?? '', expected);
  const isSocket = (c: Context) => c.req.header('upgrade')?.toLowerCase() === 'websocket';

  const app = new Hono();
  app.onError((err, c) => {
    if (isError(err)) return c.json({ message: err.message, ...(err.exception ? { exception: err.exception } : {}), ...err.fields }, err.status as ContentfulStatusCode);
    throw err;
  });

  const basicAuth: MiddlewareHandler = async function basicAuth(c, next) {
    // WebSockets check credentials after the upgrade (below), as 3.0 does.
    if (isSocket(c) || authorized(c)) return next();
    c.header('WWW-Authenticate', 'Basic');
    return c.json({ message: c.req.header('authorization') ? 'Invalid compute username or password' : 'Not authenticated' }, 401);
  };
  app.use('*', basicAuth);

  /** A WebSocket with bad credentials: accepted, told why, closed with 1008. */
  const refuseSocket = (c: Context) =>
    runtime.upgradeWebSocket(() => ({
      onOpen(_event, ws) {
        ws.send(JSON.stringify({ action: 'log.error', event: { message: 'Could not authenticate while connecting to compute WebSocket: Could not validate credentials' } }));
        ws.close(1008, 'Policy violation');
      },
    }))(c, async () => {});

  app.get('/version', (c) => c.json({ version }));
  app.get('/capabilities', async (c) => {
    usage.controllerHost = clientAddress(c) === 'unknown' ? '127.0.0.1' : clientAddress(c);
    const caps = (await (await v2(new Request('http://local/capabilities'))).json()) as Record<string, unknown>;
    return c.json({
      version, node_types: caps.node_types, platform: caps.platform, cpus: availableParallelism(), memory: totalmem(), disk_size: diskSize(compute.projectsDir),
    });
  });

  app.get('/notifications/ws', async (c) => {
    if (!authorized(c)) return refuseSocket(c);
    return runtime.upgradeWebSocket(eventSocket(compute.notifier, () => pingEvent(compute.projectsDir), IDLE_PING_MS))(c, async () => {});
  });

  /** Everything else: the v2 route answers, re-shaped. */
  app.all('*', async (c) => {
    const path = c.req.path.replace(/^\/v3\/compute/, '') || '/';
    if (isSocket(c) && !authorized(c)) return refuseSocket(c);
    const url = new URL(c.req.url);
    const init: RequestInit & { duplex?: 'half' } = { method: c.req.method, headers: c.req.raw.headers, signal: c.req.raw.signal };
    if (c.req.method !== 'GET' && c.req.method !== 'HEAD') {
      const nodeBody = NODE_CREATE.test(path) || NODE_UPDATE.test(path);
      init.body = nodeBody ? await knownKeysOnly(compute, c.req.method, path, await c.req.arrayBuffer()) : c.req.raw.body;
      init.duplex = 'half';
    }
    const response = await v2(new Request(`http://local${v2PathOf(path)}${url.search}`, init), c.env);
    if (response.status >= 400) return v3Error(response);
    if (noContent(c.req.method, path)) {
      await response.body?.cancel();
      return c.body(null, 204);
    }
    return response;
  });
  return app;
}
