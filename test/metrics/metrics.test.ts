/** Observability against a real daemon: /metrics moves with relay traffic, /statistics has GNS3's keys, pings carry load. */
import t from 'tap';
import WebSocket from 'ws';
import { VPCS_083, withDaemon } from '../helpers/daemon.ts';
import { runSeedSession } from '../helpers/seed.ts';
import { TelnetClient } from '../helpers/telnet.ts';

/** Value of one series in Prometheus text, e.g. `patchbay_relay_packets_total{direction="in"}`. */
function sample(text: string, series: string): number | undefined {
  const line = text.split('\n').find((l) => l.startsWith(`${series} `));
  return line === undefined ? undefined : Number(line.slice(series.length + 1));
}

// One daemon for the file (debug level for the access-log test); the tests only add to what it has seen.
const daemon = await withDaemon(t, { args: ['--vpcs-path', VPCS_083, '--log-level', 'debug'] });

t.test('/metrics: relay counters move with traffic, nodes and emulators are visible', async (t) => {
  const seed = await runSeedSession(daemon);

  const scrape = async () => {
    const response = await daemon.api('/metrics');
    t.equal(response.status, 200);
    t.match(response.headers.get('content-type'), /^text\/plain; version=0\.0\.4/);
    return response.text();
  };
  const before = await scrape();
  const packetsBefore = sample(before, 'patchbay_relay_packets_total{direction="in"}')!;
  const bytesBefore = sample(before, 'patchbay_relay_bytes_total{direction="out"}')!;
  t.ok(packetsBefore > 0, `the seed session's pings went through the relay (${packetsBefore} packets in)`);
  t.equal(sample(before, 'patchbay_relay_bridges'), 2, 'one bridge per VPCS port');
  t.equal(sample(before, 'patchbay_nodes{status="started",type="vpcs"}'), 2, 'both nodes counted as started');
  t.ok((sample(before, 'patchbay_relay_workers') ?? 0) >= 1, 'relay workers alive');
  for (const node of seed.nodes) {
    t.match(before, new RegExp(`patchbay_node_memory_bytes\\{name="PC\\d",node_id="${node.node_id}",project_id="${seed.projectId}",type="vpcs"\\} [1-9]\\d*`), `memory of ${node.node_id}`);
    t.match(before, new RegExp(`patchbay_node_cpu_percent\\{[^}]*node_id="${node.node_id}"[^}]*\\} \\d`), `CPU of ${node.node_id}`);
  }
  t.match(before, /patchbay_http_requests_total\{method="POST",route="\/v2\/compute\/projects\/\{project_id\}\/\{node_type\}\/nodes\/\{node_id\}\/start",status="200"\} 2/, 'requests counted by route template');
  t.match(before, /patchbay_http_request_duration_seconds_bucket\{le="\+Inf",method="GET",route="\/v2\/compute\/version"\} \d+/, 'latency histogram by route');

  // More traffic between the two scrapes.
  const console1 = await TelnetClient.connect(seed.nodes[0]!.console);
  t.teardown(() => console1.close());
  await console1.run('ping 10.0.0.2 -c 5', /icmp_seq=5[^\n]*\n/, 20_000);
  const after = await scrape();
  t.ok(sample(after, 'patchbay_relay_packets_total{direction="in"}')! > packetsBefore, 'packets-in counter moved');
  t.ok(sample(after, 'patchbay_relay_bytes_total{direction="out"}')! > bytesBefore, 'bytes-out counter moved');

  // Deleting a node retires its bridge; the totals must not go back.
  const base = `/v2/compute/projects/${seed.projectId}/vpcs/nodes`;
  await daemon.json(`${base}/${seed.nodes[1]!.node_id}`, { method: 'DELETE', expect: 204 });
  const retired = await scrape();
  t.ok(sample(retired, 'patchbay_relay_packets_total{direction="in"}')! >= sample(after, 'patchbay_relay_packets_total{direction="in"}')!, 'counters survive a bridge deletion');
  t.equal(sample(retired, 'patchbay_relay_bridges'), 1, 'bridge gauge follows');
});

t.test('GET /v2/compute/statistics has exactly GNS3\'s keys, all integers', async (t) => {
  const stats = await daemon.json('/v2/compute/statistics', { expect: 200 });
  t.same(Object.keys(stats).sort(), [
    'cpu_usage_percent', 'disk_usage_percent', 'load_average_percent', 'memory_free', 'memory_total', 'memory_usage_percent',
    'memory_used', 'swap_free', 'swap_total', 'swap_usage_percent', 'swap_used',
  ]);
  for (const [key, value] of Object.entries(stats)) {
    const values = Array.isArray(value) ? value : [value];
    t.ok(values.every(Number.isInteger), `${key} is integer`);
  }
  t.equal(stats.load_average_percent.length, 3);
  t.equal(stats.memory_used, stats.memory_total - stats.memory_free, 'used = total - available');
  t.ok(stats.memory_usage_percent >= 0 && stats.memory_usage_percent <= 100);
});

t.test('the compute notification stream opens with a ping carrying CPU and memory percent', async (t) => {
  const ws = new WebSocket(`${daemon.url.replace('http', 'ws')}/v2/compute/notifications/ws`);
  t.teardown(() => ws.close());
  const first = await new Promise<any>((resolve, reject) => {
    ws.once('message', (data) => resolve(JSON.parse(String(data))));
    ws.once('error', reject);
  });
  t.equal(first.action, 'ping');
  t.same(Object.keys(first.event).sort(), ['cpu_usage_percent', 'memory_usage_percent']);
  t.type(first.event.cpu_usage_percent, 'number');
  t.ok(first.event.memory_usage_percent > 0 && first.event.memory_usage_percent <= 100, 'memory percent is a real figure');
  t.notOk('project_id' in first, 'pings carry no project_id');
});

t.test('--log-level debug writes a JSON access log line per request when stdout is not a terminal', async (t) => {
  await daemon.json('/v2/compute/version', { expect: 200 });
  await daemon.api('/v2/compute/projects/not-a-uuid');
  // The record is written before the answer, but reaches us through a pipe: wait (bounded) for it to arrive.
  const parse = () => daemon.output().split('\n').filter((l) => l.startsWith('{')).map((l) => JSON.parse(l));
  for (let i = 0; i < 100 && !parse().some((r) => r.path === '/v2/compute/projects/not-a-uuid'); i++) {
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  const records = parse();
  const access = records.filter((r) => r.msg === 'request');
  t.ok(access.some((r) => r.route === '/v2/compute/version' && r.status === 200 && r.level === 'debug'), 'version request logged');
  t.ok(access.some((r) => r.route === '/v2/compute/projects/{project_id}' && r.status === 400 && r.path === '/v2/compute/projects/not-a-uuid'), 'template and raw path both logged');
  t.ok(records.some((r) => r.level === 'info' && typeof r.url === 'string'), 'start-up record carries the URL as a field');
});
