/** Issue #2, must-show 2: one node's requests are serialised in order; different nodes proceed concurrently. */
import t from 'tap';
import WebSocket from 'ws';
import { post, put, VPCS_083, withDaemon, withProject } from '../helpers/daemon.ts';

/** Server-side interval of a request: [end - duration, end] in client clock terms. */
type Interval = { start: number; end: number };

const serverInterval = (response: Response, end: number): Interval => {
  const duration = Number(/dur=([\d.]+)/.exec(response.headers.get('server-timing') ?? '')?.[1]);
  return { start: end - duration, end };
};

const peakOverlap = (intervals: Interval[]) => {
  const edges = intervals.flatMap((i) => [[i.start, 1], [i.end, -1]] as const).sort((a, b) => a[0] - b[0] || a[1] - b[1]);
  let running = 0;
  let peak = 0;
  for (const [, delta] of edges) peak = Math.max(peak, (running += delta));
  return peak;
};

t.test('per-node locks', async (t) => {
  const daemon = await withDaemon(t, { args: ['--vpcs-path', VPCS_083] });
  const { id: projectId } = await withProject(t, daemon, 'locks');
  const base = `/v2/compute/projects/${projectId}`;

  t.test('50 concurrent updates to one node all succeed, each applied whole and in turn', async (t) => {
    const node = await daemon.json(`${base}/vpcs/nodes`, { ...post({ name: 'target' }), expect: 201 });
    const ws = new WebSocket(`${daemon.url.replace('http', 'ws')}/v2/compute/notifications/ws`);
    const updates: string[] = [];
    ws.on('message', (data) => {
      const message = JSON.parse(String(data));
      if (message.action === 'node.updated' && message.event.node_id === node.node_id) updates.push(message.event.name);
    });
    await new Promise((resolve) => ws.once('open', resolve));

    const names = Array.from({ length: 50 }, (_, i) => `n${i}`);
    const intervals: Interval[] = [];
    const answers = await Promise.all(names.map(async (name) => {
      const response = await daemon.api(`${base}/vpcs/nodes/${node.node_id}`, put({ name }));
      intervals.push(serverInterval(response, performance.now()));
      return { status: response.status, body: await response.json() };
    }));
    t.ok(answers.every((a) => a.status === 200), 'all 50 answered 200');
    t.ok(answers.every((a, i) => a.body.name === names[i]), 'each answer shows its own update, never a neighbour\'s');

    const deadline = Date.now() + 5000;
    while (updates.length < 50 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 20));
    ws.close();
    t.equal(updates.length, 50, 'one node.updated per update');
    t.same([...updates].sort(), [...names].sort(), 'every update was applied exactly once');
    const final = await daemon.json(`${base}/vpcs/nodes/${node.node_id}`, { expect: 200 });
    t.equal(final.name, updates.at(-1), 'the stored name is the last update applied');
  });

  t.test('requests to 20 different nodes overlap in time', async (t) => {
    const nodes = await Promise.all(Array.from({ length: 20 }, (_, i) =>
      daemon.json(`${base}/vpcs/nodes`, { ...post({ name: `pc${i}` }), expect: 201 })));
    // Starting a VPCS spawns it and waits for its console: long enough for overlap to show.
    const intervals = await Promise.all(nodes.map(async (node) => {
      const response = await daemon.api(`${base}/vpcs/nodes/${node.node_id}/start`, post());
      const interval = serverInterval(response, performance.now());
      t.equal(response.status, 200, `start ${node.name}`);
      return interval;
    }));
    const peak = peakOverlap(intervals);
    t.ok(peak > 1, `server-side handling of different nodes overlapped (peak ${peak} at once)`);
    await Promise.all(nodes.map((node) => daemon.json(`${base}/vpcs/nodes/${node.node_id}/stop`, { ...post(), expect: 204 })));
  });

  t.test('concurrent start/stop on one node never interleave', async (t) => {
    const node = await daemon.json(`${base}/vpcs/nodes`, { ...post({ name: 'serial' }), expect: 201 });
    const results = await Promise.all(Array.from({ length: 10 }, async (_, i) => {
      const action = i % 2 === 0 ? 'start' : 'stop';
      const response = await daemon.api(`${base}/vpcs/nodes/${node.node_id}/${action}`, post());
      return { action, status: response.status, body: action === 'start' ? await response.json() : null };
    }));
    // Without the lock a stop would tear the process down in the middle of a start (console connect, relay wiring)
    // and the start would fail or report a stopped node.
    t.ok(results.every((r) => r.status === (r.action === 'start' ? 200 : 204)), 'every request succeeded');
    t.ok(results.filter((r) => r.action === 'start').every((r) => r.body.status === 'started'), 'each start answered with a started node');
    await daemon.json(`${base}/vpcs/nodes/${node.node_id}/stop`, { ...post(), expect: 204 });
  });
});
