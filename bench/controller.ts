/**
 * Controller benchmark: through /v2, then through /v3 (bearer token, 3.0 template id) on the same daemon, on a
 * controller with its local compute: 100 VPCS nodes (16 requests in flight),
 * a rename of each (node update, forwarded to the compute), 50 links, start all, stop all, delete all. Also counts
 * how many compute-route requests the daemon's own HTTP metrics saw for the renames (the middleware running a second
 * time for an in-process call to the local compute). Prints per-phase times, p50/p95 request latency, daemon RSS, and a final
 * JSON line. Usage: npm run bench:controller [-- --nodes 100 --in-flight 16 --vpcs PATH --runtime node|deno]
 */
import { existsSync, readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { startDaemon, post, usersDaemonEnv, VPCS_083, type DaemonProcess } from '../test/helpers/daemon.ts';

const { values } = parseArgs({
  options: {
    nodes: { type: 'string', default: '100' },
    'in-flight': { type: 'string', default: '16' },
    vpcs: { type: 'string' },
    runtime: { type: 'string', default: 'node' },
  },
});
const NODES = Number(values.nodes);
const IN_FLIGHT = Number(values['in-flight']);
// gns3-server's reference figures were taken with VPCS 0.8.3; use the same binary when it is there.
const VPCS = values.vpcs ?? (existsSync(VPCS_083) ? VPCS_083 : 'vpcs');
/** How each API version is spoken: path prefix, built-in VPCS template id, extra headers (the v3 bearer token). */
type Dialect = { api: 'v2' | 'v3'; prefix: string; template: string; headers: Record<string, string> };

type Phase = { ms: number; p50?: number; p95?: number };

const percentile = (sorted: number[], p: number) => sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
const round = (n: number) => Math.round(n * 10) / 10;

/** Runs `fn` over `items` with IN_FLIGHT requests at once, timing each. */
async function timed<T>(items: T[], fn: (item: T) => Promise<unknown>): Promise<Phase> {
  const latencies: number[] = [];
  const start = performance.now();
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(IN_FLIGHT, items.length) }, async () => {
      while (next < items.length) {
        const item = items[next++];
        const t0 = performance.now();
        await fn(item);
        latencies.push(performance.now() - t0);
      }
    }),
  );
  latencies.sort((a, b) => a - b);
  return { ms: round(performance.now() - start), p50: round(percentile(latencies, 50)), p95: round(percentile(latencies, 95)) };
}

async function once(fn: () => Promise<unknown>): Promise<Phase> {
  const start = performance.now();
  await fn();
  return { ms: round(performance.now() - start) };
}

function rssKiB(pid: number): { rss: number; peak: number } {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const field = (name: string) => Number(new RegExp(`${name}:\\s+(\\d+)`).exec(status)?.[1] ?? 0);
  return { rss: field('VmRSS'), peak: field('VmHWM') };
}

async function expectStatus(d: DaemonProcess, path: string, init: RequestInit, status: number, extra: Record<string, string> = {}): Promise<any> {
  const response = await d.api(path, { ...init, headers: { ...(init.headers as Record<string, string>), ...extra } });
  const text = await response.text();
  if (response.status !== status) throw new Error(`${init.method} ${path}: ${response.status} ${text}`);
  return text ? JSON.parse(text) : undefined;
}

const RUNTIME = values.runtime === 'deno' ? 'deno' : 'node';
const env = usersDaemonEnv(RUNTIME, 'start');
const d = await startDaemon({ mode: 'controller', runtime: RUNTIME, env, args: ['--vpcs-path', VPCS, '--console-ports', '40000-40999', '--udp-ports', '41000-42999'] });

/** The scenario through one API; the daemon's project list is empty again afterwards. */
async function scenario(dialect: Dialect) {
  const call = (path: string, init: RequestInit, status: number) => expectStatus(d, path, init, status, dialect.headers);
  const project = await call(`${dialect.prefix}/projects`, post({ name: `bench-${dialect.api}` }), 201);
  const base = `${dialect.prefix}/projects/${project.project_id}`;
  const ids: string[] = [];
  const phases: Record<string, Phase> = {};

  phases.create = await timed([...Array(NODES).keys()], async (i) => {
    const node = await call(`${base}/templates/${dialect.template}`, post({ x: i * 10, y: 0, compute_id: 'local' }), 201);
    ids[i] = node.node_id;
  });
  const before = await computeUpdateCount();
  phases.update = await timed([...Array(NODES).keys()], (i) =>
    call(`${base}/nodes/${ids[i]}`, { method: 'PUT', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ name: `R${i}` }) }, 200));
  const computeUpdates = (await computeUpdateCount()) - before;
  const pairs = [...Array(Math.floor(NODES / 2)).keys()].map((i) => [ids[2 * i], ids[2 * i + 1]]);
  phases.link = await timed(pairs, (pair) =>
    call(`${base}/links`, post({ nodes: pair.map((node_id) => ({ node_id, adapter_number: 0, port_number: 0 })) }), 201));
  // A node that fails to start makes the bulk call answer 409 after every node was tried; count what started.
  let startError: string | undefined;
  phases.start_all = await once(async () => {
    const response = await d.api(`${base}/nodes/start`, { ...post(), headers: { ...dialect.headers } });
    if (response.status !== 204) startError = `${response.status} ${await response.text()}`;
  });
  const started = (await call(`${base}/nodes`, { method: 'GET' }, 200)).filter((n: any) => n.status === 'started').length;
  const memory = rssKiB(d.child.pid!);
  const workers = await relayWorkers();
  phases.stop_all = await once(() => call(`${base}/nodes/stop`, { ...post(), headers: {} }, 204));
  phases.delete = await timed(ids, (id) => call(`${base}/nodes/${id}`, { method: 'DELETE' }, 204));
  await call(base, { method: 'DELETE' }, 204);
  return { phases, started, startError, computeUpdates, links: pairs.length, memory, relayWorkers: workers };
}

/** Relay worker threads alive (placement by load starts a second one only for a busy worker: none should be here). */
async function relayWorkers(): Promise<number> {
  const metrics = await (await d.api('/metrics')).text();
  return Number(/^patchbay_relay_workers (\d+)/m.exec(metrics)?.[1] ?? NaN);
}

async function computeUpdateCount(): Promise<number> {
  const metrics = await (await d.api('/metrics')).text();
  return [...metrics.matchAll(/^patchbay_http_requests_total\{method="PUT",route="\/v2\/compute\/projects\/[^"]*\/nodes\/\{node_id\}",status="\d+"\} (\d+)/gm)]
    .reduce((sum, m) => sum + Number(m[1]), 0);
}

try {
  await expectStatus(d, '/v2/version', { method: 'GET' }, 200);
  await new Promise((resolve) => setTimeout(resolve, 1000));
  const fresh = rssKiB(d.child.pid!);
  const login = await d.api('/v3/access/users/login', { method: 'POST', body: new URLSearchParams({ username: 'admin', password: 'admin' }) });
  const token = ((await login.json()) as { access_token: string }).access_token;
  const runs = {
    v2: await scenario({ api: 'v2', prefix: '/v2', template: '19021f99-e36f-394d-b4a1-8aaa902ab9cc', headers: {} }),
    v3: await scenario({ api: 'v3', prefix: '/v3', template: '52136454-1f50-590a-94e4-816bd02d1062', headers: { authorization: `Bearer ${token}` } }),
  };
  const fmt = (phase: Phase) => `${String(phase.ms).padStart(9)} ms${phase.p50 !== undefined ? `  p50 ${String(phase.p50).padStart(6)}  p95 ${String(phase.p95).padStart(6)}` : ''.padEnd(24)}`;
  console.log(`${'phase'.padEnd(10)} ${'/v2'.padEnd(36)} ${'/v3'.padEnd(36)} v3/v2`);
  for (const name of Object.keys(runs.v2.phases)) {
    const [a, b] = [runs.v2.phases[name], runs.v3.phases[name]];
    console.log(`${name.padEnd(10)} ${fmt(a).padEnd(36)} ${fmt(b).padEnd(36)} ${(b.ms / a.ms).toFixed(2)}`);
  }
  for (const [api, run] of Object.entries(runs)) {
    if (run.startError) console.log(`${api}: start all answered ${run.startError}`);
    console.log(`${api}: node updates seen by the HTTP middleware as compute requests: ${run.computeUpdates} for ${NODES} controller updates`);
    console.log(`${api}: started ${run.started}/${NODES}; daemon RSS ${Math.round(fresh.rss / 1024)} MiB just started, ${Math.round(run.memory.rss / 1024)} MiB with all nodes started (peak ${Math.round(run.memory.peak / 1024)} MiB), ${run.relayWorkers} relay worker(s)`);
  }
  const v2 = runs.v2;
  const ratios = Object.fromEntries(Object.keys(v2.phases).map((name) => [name, Math.round((runs.v3.phases[name].ms / v2.phases[name].ms) * 100) / 100]));
  console.log(JSON.stringify({
    bench: 'controller', runtime: RUNTIME, fresh_rss_kib: fresh.rss, nodes: NODES, links: v2.links, in_flight: IN_FLIGHT, vpcs: VPCS, started: v2.started,
    start_error: v2.startError ?? null, compute_route_updates: v2.computeUpdates, phases: v2.phases, rss_kib: v2.memory.rss, peak_rss_kib: v2.memory.peak,
    relay_workers: v2.relayWorkers,
    v3: { started: runs.v3.started, start_error: runs.v3.startError ?? null, phases: runs.v3.phases, rss_kib: runs.v3.memory.rss, relay_workers: runs.v3.relayWorkers }, v3_over_v2: ratios,
  }));
} finally {
  await d.stop();
}
