/**
 * `npm run bench:compute`: create/start/stop/delete 100 VPCS nodes through the real agent, serially and 16 in flight.
 * Same-run reference: spawning the same VPCS processes directly (no agent) and waiting for their console, which is
 * the floor any agent pays. Also printed: the gns3-server 2.2.41 figures measured on this machine kind (issue #2).
 *
 * `-- --pairs N` measures only the start of all nodes at 16 in flight against the floor, N times, alternating agent
 * and direct rounds in one run (the host's noise moves both alike), with the CPU the agent used per start.
 *
 * `-- --rounds N` starts and stops all nodes N times on one agent (16 in flight) and prints its RSS with all running
 * (and its anonymous part: heaps, not mapped files) and after the stop, per round: the ≤ 80 MiB bound must hold after
 * repeated use, not only on the first round.
 */
import { randomUUID } from 'node:crypto';
import { execFileSync } from 'node:child_process';
import { closeSync, mkdtempSync, openSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { startDaemon, usersDaemonEnv, VPCS_083 } from '../test/helpers/daemon.ts';
import { Supervised } from '../src/process/supervised.ts';
import { tcpBackend } from '../src/compute/console/backends.ts';
import { VPCS_TIMER_SLACK_NS } from '../src/compute/vpcs/timer-slack.ts';
import { expectStatus } from './lib/http.ts';
import { percentile, rssAnonMiB, rssMiB, schedTimes, table, timed } from './lib/stats.ts';

const { values } = parseArgs({
  options: {
    nodes: { type: 'string', default: '100' },
    vpcs: { type: 'string', default: VPCS_083 },
    runtime: { type: 'string', default: 'node' },
    pairs: { type: 'string', default: '0' },
    rounds: { type: 'string', default: '0' },
    'warm-rounds': { type: 'string', default: '0' },
  },
});
const N = Number(values.nodes);
const VPCS = values.vpcs!;
const RUNTIME = values.runtime === 'deno' ? 'deno' : 'node';
const PAIRS = Number(values.pairs);
const ROUNDS = Number(values.rounds);
/**
 * `--warm-rounds N` (with --pairs or --rounds): N unmeasured rounds of start all / stop all first. The 20 serial
 * warm-up starts leave V8 still optimising the start path for a dozen rounds of 100 (docs/performance.md), so the
 * default reads an agent that has just served its first lab; this reads one that has served several, as a
 * long-running host's agent.
 */
const WARM_ROUNDS = Number(values['warm-rounds']);

/** gns3-server 2.2.41 with VPCS 0.8.3 on this machine kind (figures from issue #2). */
const GNS3 = { createSerialP50: 2.3, create16TotalMs: 212, startAllMs: 2700, stopAllMs: 2600 };

type Row = { mode: string; op: string; totalMs: number; p50: number; p95: number };
const rows: Row[] = [];
type Timed = Awaited<ReturnType<typeof timed>>;
const record = (mode: string, op: string, r: Timed) =>
  rows.push({ mode, op, totalMs: r.totalMs, p50: percentile(r.latencies, 50), p95: percentile(r.latencies, 95) });

const agentArgs = (vpcs: string) => ['--vpcs-path', vpcs, '--console-ports', '12000-12999', '--udp-ports', '13000-15999'];
const AGENT_ARGS = agentArgs(VPCS);
const DAEMON_ENV = usersDaemonEnv(RUNTIME, 'agent');
const startAgent = (args: string[]) => startDaemon({ runtime: RUNTIME, args, env: DAEMON_ENV });

/** The agent's child processes while all nodes run: their names and RSS (a node should cost its emulator only). */
function children(pid: number): { names: string[]; rssMiB: number } {
  const lines = execFileSync('ps', ['--ppid', String(pid), '-o', 'rss=,comm='], { encoding: 'utf8' }).trim().split('\n').filter(Boolean);
  const rows = lines.map((line) => line.trim().split(/\s+/)).map(([rss, comm]) => ({ rss: Number(rss) / 1024, comm: comm! }));
  return { names: [...new Set(rows.map((r) => r.comm))], rssMiB: rows.reduce((sum, r) => sum + r.rss, 0) };
}

const settle = () => new Promise((resolve) => setTimeout(resolve, 1000));

/**
 * RSS of an agent that has just started and served one request (no relay worker runs yet), then what each relay
 * worker adds: every Ethernet hub is a relay fabric. How many workers the hubs started comes from the daemon's own
 * metrics: placement by load puts idle fabrics on a running worker rather than starting another.
 */
async function freshRss(): Promise<{ idle: number; perWorker: number; workers: number }> {
  const daemon = await startAgent(AGENT_ARGS);
  const api = (path: string, method: string, body: unknown, status: number) => expectStatus(`${daemon.url}${path}`, method, body, status);
  try {
    await api('/v2/compute/version', 'GET', undefined, 200);
    await settle();
    const idle = rssMiB(daemon.child.pid!);
    const projectId = randomUUID();
    await api('/v2/compute/projects', 'POST', { name: 'workers', project_id: projectId }, 201);
    for (let i = 0; i < 2; i++) await api(`/v2/compute/projects/${projectId}/ethernet_hub/nodes`, 'POST', { name: `HUB${i}` }, 201);
    await settle();
    const metrics = await (await fetch(`${daemon.url}/metrics`)).text();
    const workers = Number(/^patchbay_relay_workers (\d+)/m.exec(metrics)?.[1]);
    const perWorker = (rssMiB(daemon.child.pid!) - idle) / workers;
    await api(`/v2/compute/projects/${projectId}`, 'DELETE', undefined, 204);
    return { idle, perWorker, workers };
  } finally {
    await daemon.stop();
  }
}

type Api = (path: string, method: string, body: unknown, status: number) => Promise<unknown>;

/** Creates the measured project; returns one call per operation on its node i (of N), as the rounds time them. */
async function benchProject(api: Api) {
  const projectId = randomUUID();
  await api('/v2/compute/projects', 'POST', { name: 'bench', project_id: projectId }, 201);
  const base = `/v2/compute/projects/${projectId}/vpcs/nodes`;
  const ids = Array.from({ length: N }, () => randomUUID());
  return {
    create: (i: number) => api(base, 'POST', { name: `PC${i}`, node_id: ids[i], startup_script: 'set pcname %h\n' }, 201),
    update: (i: number) => api(`${base}/${ids[i]}`, 'PUT', { name: `PC-${i}` }, 200),
    start: (i: number) => api(`${base}/${ids[i]}/start`, 'POST', {}, 200),
    stop: (i: number) => api(`${base}/${ids[i]}/stop`, 'POST', {}, 204),
    delete: (i: number) => api(`${base}/${ids[i]}`, 'DELETE', undefined, 204),
    close: () => api(`/v2/compute/projects/${projectId}`, 'DELETE', undefined, 204),
  };
}

async function agentRun(concurrency: number, vpcs = VPCS): Promise<{ rssIdle: number; rssStarted: number; emulators: ReturnType<typeof children> }> {
  const daemon = await startAgent(agentArgs(vpcs));
  const mode = `${concurrency === 1 ? 'serial' : `${concurrency} in flight`}${vpcs === VPCS ? '' : ' (0.8.3)'}`;
  const api = (path: string, method: string, body: unknown, status: number) => expectStatus(`${daemon.url}${path}`, method, body, status);
  try {
    await warmUp(api);
    const nodes = await benchProject(api);
    record(mode, 'create', await timed(N, concurrency, nodes.create));
    record(mode, 'update', await timed(N, concurrency, nodes.update));
    const rssIdle = rssMiB(daemon.child.pid!);
    record(mode, 'start', await timed(N, concurrency, nodes.start));
    const rssStarted = rssMiB(daemon.child.pid!);
    const emulators = children(daemon.child.pid!);
    record(mode, 'stop', await timed(N, concurrency, nodes.stop));
    record(mode, 'delete', await timed(N, concurrency, nodes.delete));
    await nodes.close();
    return { rssIdle, rssStarted, emulators };
  } finally {
    await daemon.stop();
  }
}

/** Exercises every measured route once per node in a throw-away project, so the JIT has compiled them. */
async function warmUp(api: Api): Promise<void> {
  const projectId = randomUUID();
  const base = `/v2/compute/projects/${projectId}/vpcs/nodes`;
  await api('/v2/compute/projects', 'POST', { name: 'warm-up', project_id: projectId }, 201);
  for (let i = 0; i < 20; i++) {
    const id = randomUUID();
    await api(base, 'POST', { name: `W${i}`, node_id: id }, 201);
    await api(`${base}/${id}`, 'PUT', { name: `W-${i}` }, 200);
    await api(`${base}/${id}/start`, 'POST', {}, 200);
    await api(`${base}/${id}/stop`, 'POST', {}, 204);
    await api(`${base}/${id}`, 'DELETE', undefined, 204);
  }
  await api(`/v2/compute/projects/${projectId}`, 'DELETE', undefined, 204);
}

/**
 * The floor: spawn VPCS 0.8.3 exactly as the agent does and wait for its console, with no HTTP, locks or relay (0.5b2
 * cannot run without a terminal, so its agent figures are compared with the agent's 0.8.3 ones instead).
 */
async function directRun(concurrency: number): Promise<{ start: Timed; stop: Timed }> {
  const dir = mkdtempSync(join(tmpdir(), 'patchbay-bench-'));
  const procs: Supervised[] = [];
  // Output to a descriptor, as the agent's log file, and the agent's timer slack: the same spawn as the agent's.
  const devNull = openSync('/dev/null', 'w');
  try {
    const start = await timed(N, concurrency, async (i) => {
      const console = 16000 + i;
      const args = ['-p', String(console), '-m', String(i % 255), '-i', '1', '-F', '-R', '-s', String(17000 + 2 * i), '-c', String(17001 + 2 * i), '-t', '127.0.0.1'];
      procs[i] = await Supervised.spawn(VPCS_083, args, { cwd: dir, output: devNull, timerSlackNs: VPCS_TIMER_SLACK_NS });
      const backend = await tcpBackend(console);
      backend.socket.destroy();
    });
    return { start, stop: await timed(N, concurrency, async (i) => procs[i]!.stop(0)) };
  } finally {
    await Promise.all(procs.map((p) => p?.stop()));
    closeSync(devNull);
    rmSync(dir, { recursive: true, force: true });
  }
}

/**
 * On one agent (warmed up, N nodes created), runs `round` `count` times with the agent's pid and the nodes' calls, and
 * collects what each round measured, with the load average when it began.
 */
async function repeatOnAgent(
  count: number,
  round: (pid: number, nodes: Awaited<ReturnType<typeof benchProject>>) => Promise<Record<string, number>>,
): Promise<Array<Record<string, number>>> {
  const daemon = await startAgent(AGENT_ARGS);
  const api = (path: string, method: string, body: unknown, status: number) => expectStatus(`${daemon.url}${path}`, method, body, status);
  const results: Array<Record<string, number>> = [];
  try {
    await warmUp(api);
    const nodes = await benchProject(api);
    await timed(N, 16, nodes.create);
    for (let i = 0; i < WARM_ROUNDS; i++) {
      await timed(N, 16, nodes.start);
      await timed(N, 16, nodes.stop);
    }
    for (let i = 0; i < count; i++) {
      const load = loadavg()[0]!;
      results.push({ ...(await round(daemon.child.pid!, nodes)), load });
    }
    await nodes.close();
  } finally {
    await daemon.stop();
  }
  return results;
}

/** One row per round under `title`; returns the rows rounded for the final JSON line. */
function printRounds(title: string, label: string, results: Array<Record<string, number>>): Array<Record<string, number>> {
  const columns = Object.keys(results[0] ?? {});
  console.log(`\nagent on ${RUNTIME}, VPCS ${VPCS}: ${title}\n`);
  console.log(table([label, ...columns], results.map((r, i) => [String(i), ...columns.map((c) => r[c]!)])));
  return results.map((r) => Object.fromEntries(Object.entries(r).map(([k, v]) => [k, +v.toFixed(2)])));
}

/** Starts all nodes at 16 in flight: the time, the agent's CPU around it (schedstat), its RSS with all running. */
async function startAll(pid: number, nodes: Awaited<ReturnType<typeof benchProject>>) {
  const before = schedTimes(pid);
  const { totalMs } = await timed(N, 16, nodes.start);
  const after = schedTimes(pid);
  return { totalMs, before, after, rss: rssMiB(pid), rssAnon: rssAnonMiB(pid) };
}

/**
 * `--pairs`: `pairs` times, start all at 16 in flight, stop them, then the direct floor's round. Per pair: both
 * totals, their ratio, and per start the CPU of all the agent's threads and its main thread's time running and waiting
 * for a CPU (what the agent itself costs, which totals alone do not show).
 */
async function pairedRun(pairs: number): Promise<void> {
  const results = await repeatOnAgent(pairs, async (pid, nodes) => {
    const { totalMs, before, after, rss } = await startAll(pid, nodes);
    await timed(N, 16, nodes.stop);
    const direct = (await directRun(16)).start;
    return {
      agent_ms: totalMs,
      direct_ms: direct.totalMs,
      ratio: totalMs / direct.totalMs,
      agent_cpu_ms_per_start: (after.runMs - before.runMs) / N,
      main_run_ms_per_start: (after.mainRunMs - before.mainRunMs) / N,
      main_wait_ms_per_start: (after.mainWaitMs - before.mainWaitMs) / N,
      rss_mib_started: rss,
    };
  });
  const rounded = printRounds(`start ${N} at 16 in flight against the direct floor, ${pairs} alternating pairs after ${WARM_ROUNDS} unmeasured rounds`, 'pair', results);
  const median = percentile(results.map((r) => r.ratio!), 50);
  console.log(`\nmedian start_all_vs_direct: ${median.toFixed(2)}`);
  console.log(JSON.stringify({ bench: 'compute', runtime: RUNTIME, nodes: N, vpcs: VPCS, warm_rounds: WARM_ROUNDS, pairs: rounded, ratios: { start_all_vs_direct_median: +median.toFixed(2) } }));
}

/**
 * `--rounds`: `rounds` times, start all at 16 in flight, read RSS, stop all, read RSS again. V8 lets the old
 * generation grow between full collections, so RSS with all nodes running drifts over the first rounds; the maximum
 * is the figure the bound is about. The start's time and the agent's CPU per start are printed too, so that a memory
 * setting that costs CPU shows.
 */
async function roundsRun(rounds: number): Promise<void> {
  const results = await repeatOnAgent(rounds, async (pid, nodes) => {
    const { totalMs, before, after, rss, rssAnon } = await startAll(pid, nodes);
    await timed(N, 16, nodes.stop);
    return {
      start_ms: totalMs,
      agent_cpu_ms_per_start: (after.runMs - before.runMs) / N,
      rss_mib_started: rss,
      rss_anon_mib_started: rssAnon,
      rss_mib_stopped: rssMiB(pid),
    };
  });
  const rounded = printRounds(`start and stop ${N} at 16 in flight, ${rounds} rounds on one agent after ${WARM_ROUNDS} unmeasured rounds`, 'round', results);
  const max = Math.max(...results.map((r) => r.rss_mib_started!));
  const anonMax = Math.max(...results.map((r) => r.rss_anon_mib_started!));
  const cpu = percentile(results.map((r) => r.agent_cpu_ms_per_start!), 50);
  console.log(`\nmax RSS with ${N} running: ${max.toFixed(1)} MiB (anonymous ${anonMax.toFixed(1)}); median agent CPU per start: ${cpu.toFixed(2)} ms`);
  console.log(JSON.stringify({
    bench: 'compute',
    runtime: RUNTIME,
    nodes: N,
    vpcs: VPCS,
    warm_rounds: WARM_ROUNDS,
    rounds: rounded,
    rss_mib_running_max: +max.toFixed(1),
    rss_anon_mib_running_max: +anonMax.toFixed(1),
    agent_cpu_ms_per_start_median: +cpu.toFixed(2),
  }));
}

/** The whole bench: every operation serially and 16 in flight, the floor, memory. */
async function fullRun(): Promise<void> {
  const { idle: fresh, perWorker, workers: WORKERS } = await freshRss();
  const serial = await agentRun(1);
  const parallel = await agentRun(16);
  // Any VPCS but 0.8.3 (Debian's 0.5b2) is also compared with the agent's own 0.8.3 figure in the same run.
  const reference = VPCS === VPCS_083 ? null : await agentRun(16, VPCS_083);
  for (const concurrency of [1, 16]) {
    const direct = await directRun(concurrency);
    const mode = `direct ${concurrency === 1 ? 'serial' : `${concurrency} in flight`}`;
    record(mode, 'start', direct.start);
    record(mode, 'stop', direct.stop);
  }

  console.log(`\nagent on ${RUNTIME}, VPCS ${VPCS}, ${N} nodes\n`);
  console.log(table(['mode', 'op', 'total ms', 'p50 ms', 'p95 ms'], rows.map((r) => [r.mode, r.op, r.totalMs, r.p50, r.p95])));

  const find = (mode: string, op: string) => rows.find((r) => r.mode === mode && r.op === op)!;
  const ratios = {
    create_p50_vs_gns3: GNS3.createSerialP50 / find('serial', 'create').p50,
    create_16_total_vs_gns3: GNS3.create16TotalMs / find('16 in flight', 'create').totalMs,
    start_all_vs_gns3: GNS3.startAllMs / find('16 in flight', 'start').totalMs,
    stop_all_vs_gns3: GNS3.stopAllMs / find('16 in flight', 'stop').totalMs,
    start_p50_vs_direct: find('serial', 'start').p50 / find('direct serial', 'start').p50,
    stop_p50_vs_direct: find('serial', 'stop').p50 / find('direct serial', 'stop').p50,
    start_all_vs_direct: find('16 in flight', 'start').totalMs / find('direct 16 in flight', 'start').totalMs,
    ...(reference ? { start_all_vs_083: find('16 in flight', 'start').totalMs / find('16 in flight (0.8.3)', 'start').totalMs } : {}),
  };
  console.log('\nSpeed-up against gns3-server 2.2.41 (higher is better) and overhead against direct spawning (1.0 = none):');
  console.log(table(['ratio', 'value'], Object.entries(ratios).map(([k, v]) => [k, v])));
  console.log(`\nagent RSS: ${fresh.toFixed(1)} MiB just started, ${serial.rssIdle.toFixed(1)} MiB with ${N} stopped nodes, ${parallel.rssStarted.toFixed(1)} MiB with ${N} running`);
  console.log(`emulator processes with ${N} running: ${parallel.emulators.names.join(', ')}, ${(parallel.emulators.rssMiB / N).toFixed(1)} MiB per node`);
  console.log(`relay workers: none until the first bridge or fabric (these nodes have no links); ~${perWorker.toFixed(1)} MiB each once started (${WORKERS} started by 2 hubs)`);
  console.log(JSON.stringify({
    bench: 'compute',
    runtime: RUNTIME,
    nodes: N,
    vpcs: VPCS,
    rows: rows.map((r) => ({ ...r, totalMs: +r.totalMs.toFixed(1), p50: +r.p50.toFixed(2), p95: +r.p95.toFixed(2) })),
    ratios: Object.fromEntries(Object.entries(ratios).map(([k, v]) => [k, +v.toFixed(2)])),
    emulator_processes: parallel.emulators.names,
    emulator_rss_mib_per_node: +(parallel.emulators.rssMiB / N).toFixed(2),
    rss_mib: { fresh: +fresh.toFixed(1), stopped_nodes: +serial.rssIdle.toFixed(1), running_nodes: +parallel.rssStarted.toFixed(1), per_relay_worker: +perWorker.toFixed(1), relay_workers: WORKERS },
  }));
}

if (PAIRS > 0) await pairedRun(PAIRS);
else if (ROUNDS > 0) await roundsRun(ROUNDS);
else await fullRun();
