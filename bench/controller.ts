/**
 * Controller benchmark: through /v2 on a controller with its local compute, 100 VPCS nodes (16 requests in flight),
 * a rename of each (node update, forwarded to the compute), 50 links, start all, stop all, delete all. Also counts
 * how many compute-route requests the daemon's own HTTP metrics saw for the renames (the middleware running a second
 * time for an in-process call to the local compute). Prints per-phase times, p50/p95 request latency, daemon RSS, and a final
 * JSON line. Usage: npm run bench:controller [-- --nodes 100 --in-flight 16 --vpcs PATH --runtime node|deno]
 */
import { existsSync, readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { startDaemon, post, VPCS_083, type DaemonProcess } from '../test/helpers/daemon.ts';

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
const VPCS_TEMPLATE = '19021f99-e36f-394d-b4a1-8aaa902ab9cc';

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

async function expectStatus(d: DaemonProcess, path: string, init: RequestInit, status: number): Promise<any> {
  const response = await d.api(path, init);
  const text = await response.text();
  if (response.status !== status) throw new Error(`${init.method} ${path}: ${response.status} ${text}`);
  return text ? JSON.parse(text) : undefined;
}

const RUNTIME = values.runtime === 'deno' ? 'deno' : 'node';
const d = await startDaemon({ mode: 'controller', runtime: RUNTIME, args: ['--vpcs-path', VPCS, '--console-ports', '40000-40999', '--udp-ports', '41000-42999'] });
try {
  await expectStatus(d, '/v2/version', { method: 'GET' }, 200);
  await new Promise((resolve) => setTimeout(resolve, 1000));
  const fresh = rssKiB(d.child.pid!);
  const project = await expectStatus(d, '/v2/projects', post({ name: 'bench' }), 201);
  const base = `/v2/projects/${project.project_id}`;
  const ids: string[] = [];
  const phases: Record<string, Phase> = {};

  phases.create = await timed([...Array(NODES).keys()], async (i) => {
    const node = await expectStatus(d, `${base}/templates/${VPCS_TEMPLATE}`, post({ x: i * 10, y: 0, compute_id: 'local' }), 201);
    ids[i] = node.node_id;
  });
  phases.update = await timed([...Array(NODES).keys()], (i) =>
    expectStatus(d, `${base}/nodes/${ids[i]}`, { method: 'PUT', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ name: `R${i}` }) }, 200));
  const metrics = await (await d.api('/metrics')).text();
  const computeUpdates = [...metrics.matchAll(/^patchbay_http_requests_total\{method="PUT",route="\/v2\/compute\/projects\/[^"]*\/nodes\/\{node_id\}",status="\d+"\} (\d+)/gm)]
    .reduce((sum, m) => sum + Number(m[1]), 0);
  const pairs = [...Array(Math.floor(NODES / 2)).keys()].map((i) => [ids[2 * i], ids[2 * i + 1]]);
  phases.link = await timed(pairs, (pair) =>
    expectStatus(d, `${base}/links`, post({ nodes: pair.map((node_id) => ({ node_id, adapter_number: 0, port_number: 0 })) }), 201));
  // A node that fails to start makes the bulk call answer 409 after every node was tried; count what started.
  let startError: string | undefined;
  phases.start_all = await once(async () => {
    const response = await d.api(`${base}/nodes/start`, post());
    if (response.status !== 204) startError = `${response.status} ${await response.text()}`;
  });
  const started = (await expectStatus(d, `${base}/nodes`, { method: 'GET' }, 200)).filter((n: any) => n.status === 'started').length;
  const memory = rssKiB(d.child.pid!);
  phases.stop_all = await once(() => expectStatus(d, `${base}/nodes/stop`, post(), 204));
  phases.delete = await timed(ids, (id) => expectStatus(d, `${base}/nodes/${id}`, { method: 'DELETE' }, 204));

  for (const [name, phase] of Object.entries(phases)) {
    const latency = phase.p50 !== undefined ? `  p50 ${phase.p50} ms  p95 ${phase.p95} ms` : '';
    console.log(`${name.padEnd(10)} ${String(phase.ms).padStart(9)} ms${latency}`);
  }
  if (startError) console.log(`start all answered ${startError}`);
  console.log(`node updates seen by the HTTP middleware as compute requests: ${computeUpdates} for ${NODES} controller updates`);
  console.log(`started ${started}/${NODES}; daemon RSS ${Math.round(fresh.rss / 1024)} MiB just started, ${Math.round(memory.rss / 1024)} MiB with all nodes started (peak ${Math.round(memory.peak / 1024)} MiB)`);
  console.log(JSON.stringify({ bench: 'controller', runtime: RUNTIME, fresh_rss_kib: fresh.rss, nodes: NODES, links: pairs.length, in_flight: IN_FLIGHT, vpcs: VPCS, started, start_error: startError ?? null, compute_route_updates: computeUpdates, phases, rss_kib: memory.rss, peak_rss_kib: memory.peak }));
} finally {
  await d.stop();
}
