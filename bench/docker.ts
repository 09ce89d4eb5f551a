/**
 * `npm run bench:docker`: create, start and stop 20 Docker nodes through the real agent's compute API (each start
 * includes our init, one relay TAP interface moved into the container, the telnet and aux consoles), then the same 20
 * containers created, started and stopped directly with the docker CLI in the same run: the floor any agent pays.
 * Also the agent's RSS idle and with every node running. gns3-server 2.2.41 is not compared: it runs every container
 * privileged with all capabilities, which runc refuses on this machine kind (no CAP_SYS_RESOURCE in the bounding set),
 * so it cannot start a single container here.
 *
 * Options: --nodes N (default 20), --concurrency C (requests or CLI commands in flight, default 4), --console
 * telnet|vnc (default telnet; vnc adds an Xvfb and an x11vnc per running node, which the CLI floor does not have).
 */
import { execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { promisify } from 'node:util';
import { parseArgs } from 'node:util';
import { startDaemon } from '../test/helpers/daemon.ts';
import { IMAGE, QUICK_STOP } from '../test/docker/helpers.ts';
import { expectStatus } from './lib/http.ts';
import { percentile, rssMiB, table, timed } from './lib/stats.ts';

const run = promisify(execFile);
const { values } = parseArgs({
  options: {
    nodes: { type: 'string', default: '20' },
    concurrency: { type: 'string', default: '4' },
    console: { type: 'string', default: 'telnet' },
  },
});
const N = Number(values.nodes);
const C = Number(values.concurrency);
const OPS = ['create', 'start', 'stop'] as const;
type Op = (typeof OPS)[number];
type Result = { latencies: number[]; totalMs: number };

async function agentRun(): Promise<{ results: Record<Op, Result>; rssIdle: number; rssStarted: number }> {
  const daemon = await startDaemon({ args: ['--relay-io', 'native', '--console-ports', '12000-12999', '--udp-ports', '13000-15999'] });
  try {
    const projectId = randomUUID();
    const base = `${daemon.url}/v2/compute/projects/${projectId}/docker/nodes`;
    await expectStatus(`${daemon.url}/v2/compute/projects`, 'POST', { name: 'bench-docker', project_id: projectId }, 201);
    const rssIdle = rssMiB(daemon.child.pid!);
    const ids: string[] = [];
    const results = {} as Record<Op, Result>;
    results.create = await timed(N, C, async (i) => {
      const node = await expectStatus(base, 'POST', { name: `B${i}`, image: IMAGE, console_type: values.console, start_command: QUICK_STOP }, 201);
      ids[i] = (JSON.parse(node.text) as { node_id: string }).node_id;
    });
    results.start = await timed(N, C, (i) => expectStatus(`${base}/${ids[i]}/start`, 'POST', {}, 204));
    const rssStarted = rssMiB(daemon.child.pid!);
    results.stop = await timed(N, C, (i) => expectStatus(`${base}/${ids[i]}/stop`, 'POST', {}, 204));
    await expectStatus(`${daemon.url}/v2/compute/projects/${projectId}/close`, 'POST', {}, 204);
    return { results, rssIdle, rssStarted };
  } finally {
    await daemon.stop();
  }
}

async function cliRun(): Promise<Record<Op, Result>> {
  const names = Array.from({ length: N }, (_, i) => `pbdk-bench-${process.pid}-${i}`);
  const docker = (...args: string[]) => run('docker', args);
  try {
    const results = {} as Record<Op, Result>;
    // The same image, command, TTY and (no) networking as a node; no init, interfaces or consoles.
    results.create = await timed(N, C, (i) => docker('create', '--name', names[i]!, '--network', 'none', '-t', '-i', '--cap-add', 'NET_ADMIN', IMAGE, 'sh', '-c', QUICK_STOP.slice("sh -c '".length, -1)));
    results.start = await timed(N, C, (i) => docker('start', names[i]!));
    results.stop = await timed(N, C, (i) => docker('stop', '-t', '5', names[i]!));
    return results;
  } finally {
    await docker('rm', '-f', ...names).catch(() => {});
  }
}

const agent = await agentRun();
const cli = await cliRun();

const rows = OPS.map((op) => [
  op,
  agent.results[op].totalMs, percentile(agent.results[op].latencies, 50), percentile(agent.results[op].latencies, 95),
  cli[op].totalMs, percentile(cli[op].latencies, 50), percentile(cli[op].latencies, 95),
  agent.results[op].totalMs / cli[op].totalMs,
]);
console.log(`Docker nodes: ${N} nodes, ${values.console} consoles, ${C} in flight (ms; ratio = agent total / docker CLI total)`);
console.log(table(['op', 'agent total', 'agent p50', 'agent p95', 'cli total', 'cli p50', 'cli p95', 'ratio'], rows));
console.log(`agent RSS: ${agent.rssIdle.toFixed(1)} MiB idle, ${agent.rssStarted.toFixed(1)} MiB with ${N} nodes started`);
console.log('gns3-server 2.2.41: not measured, it cannot start a container on this machine (privileged + all capabilities refused by runc)');
const round = (n: number) => Math.round(n * 100) / 100;
console.log(JSON.stringify({
  bench: 'docker',
  nodes: N,
  concurrency: C,
  console: values.console,
  agent_ms: Object.fromEntries(OPS.map((op) => [op, round(agent.results[op].totalMs)])),
  cli_ms: Object.fromEntries(OPS.map((op) => [op, round(cli[op].totalMs)])),
  ratios: Object.fromEntries(OPS.map((op) => [op, round(agent.results[op].totalMs / cli[op].totalMs)])),
  rss_mib: { idle: round(agent.rssIdle), started: round(agent.rssStarted) },
  gns3: 'not measured: cannot start containers on this machine',
}));
