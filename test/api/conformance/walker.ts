/**
 * Walks the spec route table against a running controller-mode daemon: creates the fixtures the paths point at,
 * calls every route in table order and reports, per route, whether it exists and how its answer differs from the
 * spec. Shared by the tap suite and `npm run conformance`.
 */
import { readFileSync } from 'node:fs';
import { testImages } from '../../dynamips/images.ts';
import { randomUUID } from 'node:crypto';
import WebSocket from 'ws';
import { routeKey, type RouteSpec } from './routes.ts';

export type RouteResult = {
  route: RouteSpec;
  /** False when the daemon has no handler for it (404 "no route", 405, or an unsupported node type). */
  implemented: boolean;
  status: number | null;
  /** Differences from the spec (empty: conforms). Not filled for probe-only rows. */
  problems: string[];
  /** Whether the answer was checked against the spec, or the route only probed for existence. */
  checked: boolean;
  message?: string;
};

const COMPUTE_TYPES = ['vpcs', 'ethernet_hub', 'ethernet_switch', 'cloud', 'qemu', 'nat', 'frame_relay_switch', 'atm_switch', 'dynamips'] as const;

type Fixtures = {
  version: string;
  compute: { main: string; victim: string; dest: string; nodes: Record<string, Record<'main' | 'victim' | 'dest', string>> };
  controller: { main: string; victim: string; dest: string; node: string; victimNode: string; linkA: string; linkB: string };
  extraComputeId: string;
  link_id?: string;
  drawing_id?: string;
  snapshot_id?: string;
  template_id?: string;
  exported?: Uint8Array;
};

/** Our app (and Hono) answers an unrouted request with 404 and this message prefix; GNS3/aiohttp with text/plain. */
export function isNoRoute(status: number, text: string): boolean {
  if (status === 405) return true;
  if (status !== 404) return false;
  try {
    const body = JSON.parse(text) as { message?: string };
    return /^404: Not Found \(/.test(body.message ?? '') || /is not supported by this compute/.test(body.message ?? '');
  } catch {
    // A non-JSON 404 is a router's plain answer, not a handler's.
    return true;
  }
}

export class Walker {
  readonly #base: string;
  #fx!: Fixtures;

  constructor(base: string) {
    this.#base = base;
  }

  async #call(method: string, path: string, body?: unknown): Promise<{ status: number; text: string; bytes: Uint8Array }> {
    const raw = body instanceof Uint8Array || typeof body === 'string';
    const response = await fetch(`${this.#base}${path}`, {
      method,
      body: body === undefined ? undefined : raw ? (body as BodyInit) : JSON.stringify(body),
      headers: raw ? { 'content-type': 'application/octet-stream' } : { 'content-type': 'application/json' },
    });
    const bytes = new Uint8Array(await response.arrayBuffer());
    return { status: response.status, text: new TextDecoder().decode(bytes), bytes };
  }

  async #id(method: string, path: string, body: unknown, key: string): Promise<string> {
    const reply = await this.#call(method, path, body).catch(() => null);
    try {
      const id = reply && reply.status < 300 ? (JSON.parse(reply.text) as Record<string, string>)[key] : undefined;
      if (id) return id;
    } catch {
      // fall through to a placeholder id: the route rows then report what the daemon says about it
    }
    return randomUUID();
  }

  async #udpPort(projectId: string): Promise<number> {
    const reply = await this.#call('POST', `/v2/compute/projects/${projectId}/ports/udp`, {});
    return reply.status === 201 ? (JSON.parse(reply.text) as { udp_port: number }).udp_port : 9;
  }

  /** Creates projects and nodes on the compute and the controller; tolerant, so a partial daemon can be probed. */
  async setup(createBodies: Record<string, unknown>): Promise<void> {
    const version = await this.#call('GET', '/v2/version').catch(() => null);
    const compute = { main: randomUUID(), victim: randomUUID(), dest: randomUUID(), nodes: {} as Fixtures['compute']['nodes'] };
    for (const role of ['main', 'victim', 'dest'] as const) {
      await this.#call('POST', '/v2/compute/projects', { name: `conformance-${role}`, project_id: compute[role] }).catch(() => null);
    }
    // The Dynamips fixtures boot patchbay's test image (a daemon without Dynamips answers their rows with 409s).
    const ios = testImages().mips;
    await this.#call('POST', `/v2/compute/dynamips/images/${ios.name}`, readFileSync(ios.file)).catch(() => null);
    for (const type of COMPUTE_TYPES) {
      const nodes = {} as Record<'main' | 'victim' | 'dest', string>;
      for (const role of ['main', 'victim', 'dest'] as const) {
        const body = await this.#fillPorts(compute.main, { ...(createBodies[type] as object), name: `${type}-${role}` });
        nodes[role] = await this.#id('POST', `/v2/compute/projects/${compute.main}/${type}/nodes`, body, 'node_id');
      }
      compute.nodes[type] = nodes;
    }
    const project = (name: string) => this.#id('POST', '/v2/projects', { name }, 'project_id');
    const [main, victim] = [await project(`conformance-${randomUUID().slice(0, 8)}`), await project(`conformance-victim-${randomUUID().slice(0, 8)}`)];
    const node = (name: string) => this.#id('POST', `/v2/projects/${main}/nodes`, { name, node_type: 'vpcs', compute_id: 'local' }, 'node_id');
    this.#fx = {
      version: version && version.status === 200 ? (JSON.parse(version.text) as { version: string }).version : '2.2.59',
      compute,
      controller: { main, victim, dest: randomUUID(), node: await node('ConfMain'), victimNode: await node('ConfVictim'), linkA: await node('ConfA'), linkB: await node('ConfB') },
      extraComputeId: randomUUID(),
    };
  }

  /** Gives `nio_udp` bodies and cloud UDP mappings real ports from the project's pool (lport 0 is a placeholder). */
  async #fillPorts(projectId: string, body: unknown): Promise<unknown> {
    if (!body || typeof body !== 'object' || Array.isArray(body)) return body;
    const copy: Record<string, unknown> = { ...(body as Record<string, unknown>) };
    if (copy.lport === 0) {
      copy.lport = await this.#udpPort(projectId);
      copy.rport = await this.#udpPort(projectId);
    }
    if (Array.isArray(copy.ports_mapping)) {
      copy.ports_mapping = await Promise.all(copy.ports_mapping.map((p) => this.#fillPorts(projectId, p)));
    }
    return copy;
  }

  /** The concrete path of a row: fixture ids in place of `{...}`. */
  resolvePath(route: RouteSpec): string {
    const fx = this.#fx;
    const role = route.role ?? 'main';
    const type = /\/([a-z_]+)\/nodes\//.exec(route.path + '/')?.[1] ?? 'vpcs';
    const values: Record<string, string> = {
      adapter_number: '0',
      port_number: '0',
      emulator: 'qemu',
      action: 'binaries',
      engine: 'vmware',
      filename: 'conformance.img',
      compute_id: role === 'victim' ? fx.extraComputeId : 'local',
      symbol_id: role === 'dest' ? 'conformance.svg' : ':/symbols/classic/router.svg',
      link_id: fx.link_id ?? randomUUID(),
      drawing_id: fx.drawing_id ?? randomUUID(),
      snapshot_id: fx.snapshot_id ?? randomUUID(),
      template_id: fx.template_id ?? randomUUID(),
    };
    // A node row's role picks the node; its project stays the main one (where every fixture node lives).
    const projectRole = route.path.includes('{node_id}') ? 'main' : role;
    if (route.api === 'compute') {
      values.project_id = fx.compute[projectRole];
      values.node_id = fx.compute.nodes[type]?.[role] ?? randomUUID();
      values.path = 'conformance/hello.txt';
    } else {
      values.project_id = fx.controller[projectRole];
      values.node_id = role === 'victim' ? fx.controller.victimNode : fx.controller.node;
      values.path = route.path.includes('/nodes/') ? 'startup.vpc' : 'conformance.txt';
    }
    return route.path.replace(/\{([a-z_]+)\}/g, (whole, name: string) => values[name] ?? whole);
  }

  async #resolveBody(route: RouteSpec): Promise<unknown> {
    if (route.body === '{export}') return this.#fx.exported ?? new Uint8Array();
    const fx = this.#fx;
    const text = JSON.stringify(route.body ?? null)
      .replaceAll('{version}', fx.version)
      .replaceAll('{extra_compute_id}', fx.extraComputeId)
      .replaceAll('{link_a}', fx.controller.linkA)
      .replaceAll('{link_b}', fx.controller.linkB)
      .replaceAll('{dest_node_id}', fx.compute.nodes[/\/([a-z_]+)\/nodes\//.exec(route.path)?.[1] ?? 'vpcs']?.dest ?? '');
    const body = JSON.parse(text) as unknown;
    if (body === null) return undefined;
    if (typeof body === 'string') return body;
    return route.api === 'compute' ? this.#fillPorts(this.#fx.compute.main, body) : body;
  }

  /** Calls a route that may never finish its body (streams): only the status and the first chunk matter. */
  async #probe(method: string, path: string): Promise<{ status: number; text: string }> {
    if (path.endsWith('/ws')) return this.#probeWebSocket(path);
    const abort = new AbortController();
    const timer = setTimeout(() => abort.abort(), 5000);
    let response: Response;
    try {
      response = await fetch(`${this.#base}${path}`, { method, signal: abort.signal });
    } catch {
      clearTimeout(timer);
      return { status: 0, text: '' };
    }
    // A JSON error answer is short; a stream may stay silent (an idle capture), so wait for its first chunk briefly.
    const reader = response.body?.getReader();
    const first = reader
      ? await Promise.race([reader.read().catch(() => ({ value: undefined })), new Promise<{ value: undefined }>((done) => setTimeout(() => done({ value: undefined }), 300))])
      : { value: undefined };
    abort.abort();
    clearTimeout(timer);
    return { status: response.status, text: first.value ? new TextDecoder().decode(first.value) : '' };
  }

  /** A real upgrade request: 101 if accepted, else the status and body the route answered with. */
  #probeWebSocket(path: string): Promise<{ status: number; text: string }> {
    return new Promise((resolve) => {
      const ws = new WebSocket(`${this.#base.replace(/^http/, 'ws')}${path}`);
      const timer = setTimeout(() => finish({ status: 0, text: '' }), 5000);
      const finish = (result: { status: number; text: string }) => {
        clearTimeout(timer);
        ws.removeAllListeners();
        ws.on('error', () => {});
        ws.terminate();
        resolve(result);
      };
      ws.once('open', () => finish({ status: 101, text: '' }));
      ws.once('unexpected-response', (_req, res) => {
        let text = '';
        res.on('data', (chunk: Buffer) => (text += chunk));
        res.on('end', () => finish({ status: res.statusCode ?? 0, text }));
      });
      ws.once('error', () => finish({ status: 0, text: '' }));
    });
  }

  /** Runs one row and compares the answer with the spec. */
  async run(route: RouteSpec): Promise<RouteResult> {
    const path = this.resolvePath(route);
    if (route.probeOnly) {
      const probe = await this.#probe(route.method, path);
      return { route, implemented: probe.status !== 0 && !isNoRoute(probe.status, probe.text), status: probe.status, problems: [], checked: false, message: messageOf(probe.text) };
    }
    const reply = await this.#call(route.method, path, await this.#resolveBody(route));
    const problems: string[] = [];
    const implemented = !isNoRoute(reply.status, reply.text);
    if (reply.status !== route.status) problems.push(`status ${reply.status}, spec ${route.status}: ${reply.text.slice(0, 200)}`);
    else problems.push(...checkBody(route, reply.text));
    if (reply.status < 300) this.#remember(route, reply);
    return { route, implemented, status: reply.status, problems, checked: true, message: messageOf(reply.text) };
  }

  /** Ids of objects created by a row, used by the rows after it. */
  #remember(route: RouteSpec, reply: { text: string; bytes: Uint8Array }): void {
    const key = routeKey(route);
    if (key === 'GET /v2/projects/{project_id}/export') {
      this.#fx.exported = reply.bytes;
      return;
    }
    if (route.method !== 'POST') return;
    let body: Record<string, string>;
    try {
      body = JSON.parse(reply.text);
    } catch {
      return;
    }
    if (key === 'POST /v2/projects/{project_id}/links') this.#fx.link_id = body.link_id;
    if (key === 'POST /v2/projects/{project_id}/drawings') this.#fx.drawing_id = body.drawing_id;
    if (key === 'POST /v2/projects/{project_id}/snapshots') this.#fx.snapshot_id = body.snapshot_id;
    if (key === 'POST /v2/templates') this.#fx.template_id = body.template_id;
  }
}

function messageOf(text: string): string | undefined {
  try {
    return (JSON.parse(text) as { message?: string }).message;
  } catch {
    return undefined;
  }
}

/** Shape, required keys and defaults of a successful answer. */
export function checkBody(route: RouteSpec, text: string): string[] {
  const shape = route.shape ?? 'object';
  if (shape === 'raw') return [];
  if (shape === 'empty') return text === '' ? [] : [`expected an empty body, got ${text.slice(0, 80)}`];
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    return [`body is not JSON: ${text.slice(0, 80)}`];
  }
  if (shape === 'array' && !Array.isArray(body)) return ['body is not a JSON array'];
  if (shape === 'object' && (typeof body !== 'object' || body === null || Array.isArray(body))) return ['body is not a JSON object'];
  const sample = (Array.isArray(body) ? body[0] : body) as Record<string, unknown> | undefined;
  const problems: string[] = [];
  if (sample) {
    for (const field of route.fields ?? []) if (!(field in sample)) problems.push(`missing field "${field}"`);
  }
  for (const [field, expected] of Object.entries(route.defaults ?? {})) {
    const actual = (body as Record<string, unknown>)[field];
    if (JSON.stringify(actual) !== JSON.stringify(expected)) problems.push(`"${field}" is ${JSON.stringify(actual)}, spec default ${JSON.stringify(expected)}`);
  }
  return problems;
}

/** Create bodies of the fixture nodes, one per compute node type (the table's own POST rows use other names). */
export const FIXTURE_NODES: Record<string, unknown> = {
  vpcs: {},
  ethernet_hub: {},
  ethernet_switch: {},
  cloud: { ports_mapping: [{ name: 'UDP tunnel 1', port_number: 0, type: 'udp', lport: 0, rhost: '127.0.0.1', rport: 0 }] },
  qemu: { qemu_path: 'qemu-system-x86_64' },
  nat: {},
  frame_relay_switch: { mappings: { '0:101': '1:202' } },
  atm_switch: { mappings: { '0:1:100': '1:2:200' } },
  dynamips: { platform: 'c3725', image: testImages().mips.name, ram: 32, idlepc: testImages().mips.idlePc },
};
