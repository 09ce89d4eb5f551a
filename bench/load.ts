/**
 * `npm run bench:load`: requests/s and p99 at concurrency 1, 16 and 128 for read routes (version, project get, node
 * get) and a write route (node update) against an agent and a controller, next to a bare Hono hello-world on the same
 * runtime (ratio = route req/s ÷ reference req/s, same run); then a 300-node, 150-link topology built through the
 * controller. Every phase is bounded in time or count. `--seconds S` per measurement (default 3; CI-sized: 0.5),
 * `--nodes N` for the build-up (default 300). Prints a table and a final JSON line.
 */
import { spawn } from 'node:child_process';
import { parseArgs } from 'node:util';
import { ROOT, startDaemon, VPCS_083, type DaemonProcess } from '../test/helpers/daemon.ts';
import { call, expectStatus } from './lib/http.ts';
import { percentile, table, timed } from './lib/stats.ts';

const { values } = parseArgs({ options: { seconds: { type: 'string', default: '3' }, nodes: { type: 'string', default: '300' } } });
const SECONDS = Number(values.seconds);
const NODES = Number(values.nodes);
const CONCURRENCY = [1, 16, 128];

type Row = { target: string; route: string; concurrency: number; rps: number; p50: number; p99: number; errors: number };
const rows: Row[] = [];

/** Runs `request` from `concurrency` loops for SECONDS; every loop stops by itself at the deadline. */
async function measure(target: string, route: string, concurrency: number, request: (i: number) => Promise<number>): Promise<void> {
  const latencies: number[] = [];
  let errors = 0;
  let n = 0;
  const deadline = performance.now() + SECONDS * 1000;
  const started = performance.now();
  await Promise.all(Array.from({ length: concurrency }, async () => {
    while (performance.now() < deadline) {
      const t0 = performance.now();
      const status = await request(n++).catch(() => 0);
      latencies.push(performance.now() - t0);
      if (status < 200 || status >= 300) errors += 1;
    }
  }));
  const elapsed = (performance.now() - started) / 1000;
  rows.push({ target, route, concurrency, rps: latencies.length / elapsed, p50: percentile(latencies, 50), p99: percentile(latencies, 99), errors });
}

async function reference(): Promise<{ url: string; stop: () => void }> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'bench/load-reference.ts'], { cwd: ROOT, stdio: ['ignore', 'pipe', 'inherit'] });
  const url = await new Promise<string>((resolve) => {
    let out = '';
    child.stdout!.on('data', (d) => {
      out += d;
      const m = /listening on (\S+)/.exec(out);
      if (m) resolve(m[1]!);
    });
  });
  return { url, stop: () => child.kill('SIGTERM') };
}

const get = (url: string) => async () => (await call(url)).status;

async function agentTargets(d: DaemonProcess) {
  const project = JSON.parse((await expectStatus(`${d.url}/v2/compute/projects`, 'POST', { name: 'load' }, 201)).text).project_id;
  const node = JSON.parse((await expectStatus(`${d.url}/v2/compute/projects/${project}/vpcs/nodes`, 'POST', { name: 'L1' }, 201)).text).node_id;
  const nodeUrl = `${d.url}/v2/compute/projects/${project}/vpcs/nodes/${node}`;
  return {
    'version': get(`${d.url}/v2/compute/version`),
    'project get': get(`${d.url}/v2/compute/projects/${project}`),
    'node get': get(nodeUrl),
    'node update': async (i: number) => (await call(nodeUrl, 'PUT', { name: `L${i % 2}` })).status,
  };
}

async function controllerTargets(d: DaemonProcess) {
  const project = JSON.parse((await expectStatus(`${d.url}/v2/projects`, 'POST', { name: 'load' }, 201)).text).project_id;
  const node = JSON.parse((await expectStatus(`${d.url}/v2/projects/${project}/nodes`, 'POST', { name: 'L1', node_type: 'vpcs', compute_id: 'local' }, 201)).text).node_id;
  const nodeUrl = `${d.url}/v2/projects/${project}/nodes/${node}`;
  return {
    'version': get(`${d.url}/v2/version`),
    'project get': get(`${d.url}/v2/projects/${project}`),
    'node get': get(nodeUrl),
    'node update': async (i: number) => (await call(nodeUrl, 'PUT', { x: i % 100 })).status,
  };
}

const agentArgs = ['--console-ports', '33000-33999', '--udp-ports', '34000-34999', '--vpcs-path', VPCS_083];
const controllerArgs = ['--console-ports', '35000-35999', '--udp-ports', '36000-36999', '--vpcs-path', VPCS_083];
const ref = await reference();
const agent = await startDaemon({ args: agentArgs });
const controller = await startDaemon({ mode: 'controller', args: controllerArgs });
let buildUp: Record<string, number> = {};
try {
  for (const c of CONCURRENCY) await measure('reference', 'version', c, get(`${ref.url}/v2/version`));
  for (const [name, d, targets] of [['agent', agent, await agentTargets(agent)], ['controller', controller, await controllerTargets(controller)]] as const) {
    void d;
    for (const [route, request] of Object.entries(targets)) for (const c of CONCURRENCY) await measure(name, route, c, request);
  }
  // 300-node build-up through the controller: nodes (16 in flight), then one link per pair (16 in flight). One node in
  // six is an Ethernet switch: GNS3 (and patchbay) cap VPCS at 255 per host.
  const project = JSON.parse((await expectStatus(`${controller.url}/v2/projects`, 'POST', { name: 'build-up' }, 201)).text).project_id;
  const ids: string[] = [];
  const nodes = await timed(NODES, 16, async (i) => {
    ids[i] = JSON.parse((await expectStatus(`${controller.url}/v2/projects/${project}/nodes`, 'POST', { name: `B${i}`, node_type: i % 6 === 5 ? 'ethernet_switch' : 'vpcs', compute_id: 'local' }, 201)).text).node_id;
  });
  const links = await timed(Math.floor(NODES / 2), 16, (i) =>
    expectStatus(`${controller.url}/v2/projects/${project}/links`, 'POST', { nodes: [ids[2 * i], ids[2 * i + 1]].map((node_id) => ({ node_id, adapter_number: 0, port_number: 0 })) }, 201));
  buildUp = { nodes: NODES, nodes_ms: nodes.totalMs, node_p99_ms: percentile(nodes.latencies, 99), links: Math.floor(NODES / 2), links_ms: links.totalMs, link_p99_ms: percentile(links.latencies, 99) };
  await expectStatus(`${controller.url}/v2/projects/${project}`, 'DELETE', undefined, 204);
} finally {
  ref.stop();
  await agent.stop();
  await controller.stop();
}

const refRps = (c: number) => rows.find((r) => r.target === 'reference' && r.concurrency === c)!.rps;
console.log(`\nLoad, ${SECONDS} s per cell, keep-alive node:http client on the same 2-core machine\n`);
console.log(table(['target', 'route', 'conc.', 'req/s', 'p50 ms', 'p99 ms', 'errors', '÷ hello-world'],
  rows.map((r) => [r.target, r.route, String(r.concurrency), r.rps, r.p50, r.p99, String(r.errors), (r.rps / refRps(r.concurrency)).toFixed(2)])));
console.log(`\n${NODES}-node build-up through the controller: ${buildUp.nodes_ms?.toFixed(0)} ms for the nodes (p99 ${buildUp.node_p99_ms?.toFixed(1)} ms), ${buildUp.links_ms?.toFixed(0)} ms for ${buildUp.links} links (p99 ${buildUp.link_p99_ms?.toFixed(1)} ms)`);
console.log(JSON.stringify({
  bench: 'load',
  seconds_per_cell: SECONDS,
  rows: rows.map((r) => ({ ...r, rps: Math.round(r.rps), p50: +r.p50.toFixed(2), p99: +r.p99.toFixed(2), vs_reference: +(r.rps / refRps(r.concurrency)).toFixed(2) })),
  build_up: Object.fromEntries(Object.entries(buildUp).map(([k, v]) => [k, +v.toFixed(1)])),
}));
