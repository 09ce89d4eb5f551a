/**
 * Walks the v3 route table (routes-v3.ts) against a controller-mode daemon started with compute credentials: the
 * controller rows with an admin bearer token, the compute rows with HTTP Basic. Ids created by earlier rows fill the
 * path parameters of later ones.
 */
import type { RouteSpec } from './routes.ts';

export type V3Result = { route: RouteSpec; status?: number; implemented: boolean; checked: boolean; problems: string[] };

/** Which id each `{name}` means; compute rows have their own project and node. */
const PARAMS_COMPUTE: Record<string, string> = { project_id: 'cproject', node_id: 'cnode' };
const PARAMS_CONTROLLER: Record<string, string> = { node_id: 'node_a' };

/** Ids to remember from a created object: `POST <path suffix>` → (key in answer, id name[, which answers]). */
const CAPTURE: Array<[RegExp, string, string, ((json: Record<string, unknown>) => boolean)?]> = [
  [/^\/v3\/compute\/projects$/, 'project_id', 'cproject'],
  [/\/vpcs\/nodes$/, 'node_id', 'cnode'],
  [/^\/v3\/projects\/[^/]+\/nodes$/, 'node_id', 'node_a', (json) => json.node_type !== 'qemu'],
  [/^\/v3\/projects\/[^/]+\/nodes$/, 'node_id', 'qemu_node', (json) => json.node_type === 'qemu'],
  [/^\/v3\/projects\/[^/]+\/templates\//, 'node_id', 'node_b'],
  [/\/links$/, 'link_id', 'link_id'],
  [/\/drawings$/, 'drawing_id', 'drawing_id'],
  [/^\/v3\/access\/users$/, 'user_id', 'user_id'],
  [/^\/v3\/access\/groups$/, 'user_group_id', 'group_id'],
  [/^\/v3\/access\/roles$/, 'role_id', 'role_id'],
  [/^\/v3\/access\/acl$/, 'ace_id', 'ace_id'],
  [/^\/v3\/pools$/, 'resource_pool_id', 'pool_id'],
  [/^\/v3\/computes$/, 'compute_id', 'compute_id'],
  [/^\/v3\/templates$/, 'template_id', 'template_id'],
];

export class V3Walker {
  readonly #base: string;
  readonly #basic: string;
  readonly #ids: Record<string, string> = {};
  #token = '';

  constructor(base: string, computeUser: string, computePassword: string) {
    this.#base = base;
    this.#basic = `Basic ${Buffer.from(`${computeUser}:${computePassword}`).toString('base64')}`;
  }

  async setup(): Promise<void> {
    const login = await fetch(`${this.#base}/v3/access/users/login`, { method: 'POST', body: new URLSearchParams({ username: 'admin', password: 'admin' }) });
    this.#token = ((await login.json()) as { access_token: string }).access_token;
    const json = async (method: string, path: string, body?: unknown) =>
      (await (await fetch(`${this.#base}${path}`, { method, headers: this.#headers('controller', body), body: body === undefined ? undefined : JSON.stringify(body) })).json()) as Record<string, any>;
    this.#ids.version = (await json('GET', '/v3/version')).version;
    this.#ids.project_id = (await json('POST', '/v3/projects', { name: `conformance-v3-${Date.now()}` })).project_id;
    this.#ids.privilege_id = ((await json('GET', '/v3/access/privileges')) as unknown as Array<{ privilege_id: string }>)[0].privilege_id;
  }

  #headers(api: string, body: unknown): Record<string, string> {
    const raw = typeof body === 'string';
    return {
      authorization: api === 'compute' ? this.#basic : `Bearer ${this.#token}`,
      ...(body === undefined ? {} : { 'content-type': raw ? 'application/octet-stream' : 'application/json' }),
    };
  }

  #fill(text: string, api: string): string {
    const names = api === 'compute' ? PARAMS_COMPUTE : PARAMS_CONTROLLER;
    return text.replace(/\{([a-z_]+)\}/g, (whole, name: string) => this.#ids[names[name] ?? name] ?? whole);
  }

  /** A WebSocket route is served if the upgrade succeeds (or is refused after it, e.g. closed 1008). */
  async #probeSocket(path: string, api: string): Promise<number> {
    const { default: WebSocket } = await import('ws');
    const url = `${this.#base.replace(/^http/, 'ws')}${path}${api === 'controller' ? `?token=${this.#token}` : ''}`;
    return new Promise((resolve) => {
      const socket = new WebSocket(url, { headers: api === 'compute' ? { authorization: this.#basic } : {} });
      socket.on('open', () => {
        socket.close();
        resolve(101);
      });
      socket.on('unexpected-response', (_req, res) => resolve(res.statusCode ?? 0));
      socket.on('error', () => resolve(0));
    });
  }

  /** NIO bodies need real UDP ports of the compute project. */
  async #udpPort(): Promise<number> {
    const response = await fetch(`${this.#base}/v3/compute/projects/${this.#ids.cproject}/ports/udp`, { method: 'POST', headers: this.#headers('compute', {}), body: '{}' });
    return ((await response.json()) as { udp_port: number }).udp_port;
  }

  async run(route: RouteSpec): Promise<V3Result> {
    const path = this.#fill(route.path, route.api);
    if (route.probeOnly === 'websocket') {
      const status = await this.#probeSocket(path, route.api);
      return { route, status, implemented: status === 101, checked: false, problems: [] };
    }
    let spec = route.body;
    if (spec && typeof spec === 'object' && (spec as { lport?: number }).lport === 0) spec = { ...spec, lport: await this.#udpPort(), rport: await this.#udpPort() };
    const body = spec === undefined ? undefined : typeof spec === 'string' ? spec : this.#fill(JSON.stringify(spec), route.api);
    const abort = new AbortController();
    const response = await fetch(`${this.#base}${path}`, {
      method: route.method, headers: this.#headers(route.api, route.body === undefined ? undefined : route.body), body, signal: abort.signal,
    });
    const result: V3Result = { route, status: response.status, implemented: true, checked: !route.probeOnly, problems: [] };
    if (route.probeOnly) {
      abort.abort();
      // WebSockets answer 400 to a plain GET (no upgrade), streams answer 200 with their headers.
      result.implemented = response.status !== 404 && response.status !== 405;
      return result;
    }
    const text = await response.text();
    let json: any;
    try {
      json = text ? JSON.parse(text) : undefined;
    } catch {
      json = undefined;
    }
    if ((response.status === 404 && (json?.detail === 'Not Found' || json?.message === 'Not Found' && route.api === 'compute')) || response.status === 405) {
      result.implemented = false;
      return result;
    }
    if (response.status !== route.status) result.problems.push(`status ${response.status}, spec ${route.status}: ${text.slice(0, 200)}`);
    if (response.status < 300 && route.method === 'POST') {
      for (const [pattern, key, name, which] of CAPTURE) if (pattern.test(path) && json?.[key] && (which?.(json) ?? true)) this.#ids[name] = json[key];
    }
    if (route.shape === 'empty' && text !== '' && response.status < 300) result.problems.push('body present, spec: none');
    const item = route.shape === 'array' ? (Array.isArray(json) ? json[0] : undefined) : json;
    if (route.shape === 'array' && !Array.isArray(json)) result.problems.push('not an array');
    for (const field of route.fields ?? []) {
      if (item && typeof item === 'object' && !(field in item)) result.problems.push(`missing "${field}"`);
    }
    for (const [key, value] of Object.entries(route.defaults ?? {})) {
      if (item && JSON.stringify(item[key]) !== JSON.stringify(value)) result.problems.push(`"${key}" is ${JSON.stringify(item[key])}, spec ${JSON.stringify(value)}`);
    }
    if (route.body && typeof route.body === 'object' && 'unknown_key' in route.body && item && 'unknown_key' in item) result.problems.push('unknown key not dropped');
    return result;
  }
}
