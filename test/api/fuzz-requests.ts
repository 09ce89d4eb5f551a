/**
 * fast-check generators of hostile HTTP requests for every spec route: random and mutated bodies, odd path
 * parameters, methods and headers. Bodies are sanitised so a request can never make the daemon touch anything but
 * its own folders and 127.0.0.1 (see `sanitise`).
 */
import fc from 'fast-check';
import { ALL_ROUTES, type RouteSpec } from './conformance/routes.ts';

export type FuzzRequest = { method: string; path: string; body?: string; headers: Record<string, string> };

/** Real ids the generator can put into paths, so requests reach handlers and not only "not found". */
export type FuzzIds = Record<string, string[]>;

const NASTY_SEGMENTS = [
  '', '..', '%2e%2e', '..%2F..%2Fetc%2Fpasswd', '%2Fetc%2Fpasswd', '%00', '%ff', '%', 'null', 'undefined', '-1', '0',
  '99999999999999999999', 'NaN', '1e309', '😀', '%F0%9F%98%80', 'a'.repeat(2048), '00000000-0000-0000-0000-000000000000',
  // Regression: a segment that is literally ':node_id' once made Hono match the node-lock middleware twice, and the
  // request queued behind itself forever.
  '{project_id}', ':x', ':node_type', ':project_id', ':node_id', '*', '.', '~', '%20', '\\', 'con', 'local',
];

/** A path segment: a real id, a random UUID, a nasty string or random text (URL-encoded). */
const segment = (real: string[]) =>
  fc.oneof(
    { weight: 4, arbitrary: real.length > 0 ? fc.constantFrom(...real) : fc.uuid() },
    { weight: 2, arbitrary: fc.uuid() },
    { weight: 2, arbitrary: fc.constantFrom(...NASTY_SEGMENTS) },
    { weight: 1, arbitrary: fc.string({ maxLength: 40 }).map(encodeURIComponent) },
  );

/** Keys whose values could steer the daemon outside its sandbox: paths on disk, hosts, binaries, extra arguments. */
const DANGEROUS_KEYS = new Set(['path', 'qemu_path', 'options', 'images_path', 'projects_path', 'symbols_path', 'configs_path']);
const HOST_KEYS = new Set(['host', 'rhost', 'remote_console_host', 'interface', 'ethernet_device', 'tap_device']);
const PORT_KEYS = new Set(['port', 'rport']);

/** Drops path/binary keys and pins host-like keys to 127.0.0.1 (and remote ports to 9) at any depth. */
export function sanitise(value: unknown, depth = 0): unknown {
  if (depth > 20 || value === null || typeof value !== 'object') return value;
  if (Array.isArray(value)) return value.map((item) => sanitise(item, depth + 1));
  const out: Record<string, unknown> = {};
  for (const [key, item] of Object.entries(value as Record<string, unknown>)) {
    if (DANGEROUS_KEYS.has(key)) continue;
    if (HOST_KEYS.has(key)) out[key] = typeof item === 'string' ? '127.0.0.1' : item;
    // Port 9 (discard) on 127.0.0.1: a registered compute or a NIO must not reach other daemons on this machine.
    else if (PORT_KEYS.has(key)) out[key] = typeof item === 'number' && item >= 1 && item <= 65535 ? 9 : item;
    else out[key] = sanitise(item, depth + 1);
  }
  return out;
}

/** A valid body of the route with one field replaced, removed or added. */
const mutated = (route: RouteSpec) => {
  const base = (route.body && typeof route.body === 'object' ? route.body : {}) as Record<string, unknown>;
  const keys = Object.keys(base);
  return fc
    .record({
      op: fc.constantFrom('replace', 'remove', 'add'),
      key: keys.length > 0 ? fc.constantFrom(...keys) : fc.constant('name'),
      extra: fc.string({ maxLength: 12 }),
      value: fc.oneof(fc.jsonValue({ maxDepth: 2 }), fc.constantFrom(-1, 0, 65536, 2 ** 53, 1e308, '', ' ', null, true, [], {}, 'x'.repeat(5000))),
    })
    .map(({ op, key, extra, value }) => {
      const body: Record<string, unknown> = { ...base };
      if (op === 'replace') body[key] = value;
      else if (op === 'remove') delete body[key];
      else body[extra] = value;
      return JSON.stringify(sanitise(body));
    });
};

/** Bodies: mutated valid ones, random JSON, JSON of the wrong type, broken JSON, random bytes, nothing. */
const body = (route: RouteSpec) =>
  fc.oneof(
    { weight: 4, arbitrary: mutated(route) },
    { weight: 3, arbitrary: fc.jsonValue({ maxDepth: 4 }).map((v) => JSON.stringify(sanitise(v))) },
    { weight: 1, arbitrary: fc.constantFrom('{bad json', '{"a":', '[1,2', '"\\ud800"', '{"name":"\u0000"}', '1e999', '-', '{}}', '\ufeff{}', 'null') },
    { weight: 1, arbitrary: mutated(route).chain((text) => fc.nat({ max: Math.max(0, text.length - 1) }).map((cut) => text.slice(0, cut))) },
    { weight: 1, arbitrary: fc.uint8Array({ maxLength: 256 }).map((bytes) => Buffer.from(bytes).toString('latin1')) },
    { weight: 1, arbitrary: fc.constant(undefined) },
  );

const headers = fc.record(
  {
    'content-type': fc.constantFrom('application/json', 'text/plain', 'application/octet-stream', 'multipart/form-data; boundary=x', 'application/json; charset=latin1', '', 'a/b/c'),
    accept: fc.constantFrom('*/*', 'text/html', 'application/json', 'x'),
    'if-none-match': fc.string({ maxLength: 40 }).map((s) => s.replace(/[^\x20-\x7e]/g, '')),
    'x-forwarded-for': fc.constant('127.0.0.1'),
  },
  { requiredKeys: [] },
);

/** Safe query strings (never `path`, which the import route reads as a destination on disk). */
const query = fc.option(
  fc
    .dictionary(fc.constantFrom('name', 'include_images', 'include_snapshots', 'compression', 'reset_mac_addresses', 'keep_compute_ids', 'update', 'archs', 'foo'), fc.string({ maxLength: 12 }), { maxKeys: 3 })
    .map((params) => `?${new URLSearchParams(params).toString()}`),
  { nil: '' },
);

/** Fills a route template: `{compute_id}` never resolves to `local` for writes, which would cut the local compute off. */
function fillPath(route: RouteSpec, ids: FuzzIds) {
  const names = [...route.path.matchAll(/\{([a-z_]+)\}/g)].map((m) => m[1]!);
  return fc.tuple(...names.map((name) => {
    if (name === 'compute_id' && route.method !== 'GET') return fc.oneof(fc.uuid(), fc.constantFrom(...NASTY_SEGMENTS.filter((s) => s !== 'local')));
    return segment(ids[name] ?? []);
  })).map((values) => {
    let i = 0;
    return route.path.replace(/\{([a-z_]+)\}/g, () => values[i++] ?? '');
  });
}

/** Routes the fuzzer leaves out: stopping the daemon is not a bad input. */
const TARGETS = ALL_ROUTES.filter((r) => r.path !== '/v2/shutdown');

/** One request against a spec route, or against a mangled or random path (below `prefix`). */
export function fuzzRequest(ids: FuzzIds, targets: readonly RouteSpec[] = TARGETS, prefix = '/v2'): fc.Arbitrary<FuzzRequest> {
  const onRoute = fc.constantFrom(...targets).chain((route) =>
    fc.record({
      method: fc.oneof({ weight: 5, arbitrary: fc.constant(route.method) }, { weight: 1, arbitrary: fc.constantFrom('GET', 'POST', 'PUT', 'DELETE', 'PATCH', 'OPTIONS', 'HEAD') }),
      path: fc.tuple(fillPath(route, ids), query).map(([p, q]) => p + q),
      body: body(route),
      headers,
    }),
  );
  const randomPath = fc.record({
    method: fc.constantFrom('GET', 'POST', 'PUT', 'DELETE', 'PATCH'),
    path: fc.array(segment([]), { maxLength: 8 }).map((parts) => `${prefix}/${parts.join('/')}`),
    body: fc.option(fc.jsonValue({ maxDepth: 2 }).map((v) => JSON.stringify(sanitise(v))), { nil: undefined }),
    headers,
  });
  return fc.oneof({ weight: 9, arbitrary: onRoute }, { weight: 1, arbitrary: randomPath }).map((r) => ({
    ...r,
    // GET and HEAD cannot carry a body through fetch.
    body: r.method === 'GET' || r.method === 'HEAD' ? undefined : r.body,
    headers: Object.fromEntries(Object.entries(r.headers).filter(([, v]) => v !== '')) as Record<string, string>,
  }));
}
