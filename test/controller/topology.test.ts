/** A 30-node topology saved, closed and reopened; notification order seen by an HTTP-stream and a WebSocket listener. */
import t from 'tap';
import { readFile } from 'node:fs/promises';
import WebSocket from 'ws';
import { post, put, withDaemon } from '../helpers/daemon.ts';
import { addVpcs, createProject, eventually, link } from './helpers.ts';

t.setTimeout(120_000);

t.test('30 nodes survive close and reopen, events arrive in order on both transports', async (t) => {
  const d = await withDaemon(t, { mode: 'controller' });
  const projectId = await createProject(d, 'big');

  // Listener 1: project WebSocket. Listener 2: project HTTP stream.
  const wsMessages: any[] = [];
  const ws = new WebSocket(`${d.url.replace('http', 'ws')}/v2/projects/${projectId}/notifications/ws`);
  ws.on('message', (data) => wsMessages.push(JSON.parse(String(data))));
  await new Promise((resolve) => ws.once('open', resolve));
  const httpMessages: any[] = [];
  const stream = await d.api(`/v2/projects/${projectId}/notifications`);
  const reader = stream.body!.getReader();
  let pending = '';
  void (async () => {
    for (;;) {
      const { value, done } = await reader.read().catch(() => ({ value: undefined, done: true }));
      if (done) return;
      pending += new TextDecoder().decode(value);
      for (let i = pending.indexOf('\n'); i >= 0; i = pending.indexOf('\n')) {
        httpMessages.push(JSON.parse(pending.slice(0, i)));
        pending = pending.slice(i + 1);
      }
    }
  })();
  t.teardown(() => {
    ws.close();
    void reader.cancel().catch(() => {});
  });

  const nodes: any[] = [];
  for (let i = 0; i < 30; i++) nodes.push(await addVpcs(d, projectId, 'local', i * 10));
  for (let i = 0; i < 30; i += 2) await link(d, projectId, nodes[i].node_id, nodes[i + 1].node_id);
  await d.json(`/v2/projects/${projectId}/nodes/${nodes[0].node_id}`, { ...put({ x: 42, name: 'Alpha', label: { text: 'ignored', x: 5 } }), expect: 200 });
  const drawing = await d.json(`/v2/projects/${projectId}/drawings`, { ...post({ svg: '<svg><rect/></svg>', x: 3 }), expect: 201 });

  const expected = [
    ...nodes.map((n) => `node.created ${n.node_id}`),
    ...Array.from({ length: 15 }, () => 'link.created'),
    `node.updated ${nodes[0].node_id}`,
    `drawing.created ${drawing.drawing_id}`,
  ];
  const summary = (list: any[]) =>
    list.filter((m) => m.action !== 'ping' && m.action !== 'log.info').map((m) => (m.action === 'link.created' ? m.action : `${m.action} ${m.event.node_id ?? m.event.drawing_id}`));
  await eventually(async () => (summary(wsMessages).length >= expected.length && summary(httpMessages).length >= expected.length ? true : undefined), 'events');
  t.equal(wsMessages[0].action, 'ping', 'WebSocket starts with a ping');
  t.equal(httpMessages[0].action, 'ping', 'HTTP stream starts with a ping');
  t.same(summary(wsMessages).filter((s) => !s.startsWith('node.updated') || s === expected.at(-2)), expected);
  t.same(summary(httpMessages), summary(wsMessages), 'both listeners see the same sequence');

  const file = JSON.parse(await readFile(`${d.projectsDir}/${projectId}/big.gns3`, 'utf8'));
  t.equal(file.revision, 9);
  t.equal(file.topology.nodes.length, 30);
  t.equal(file.topology.links.length, 15);
  t.equal(file.topology.nodes.find((n: any) => n.node_id === nodes[0].node_id).name, 'Alpha');

  await d.json(`/v2/projects/${projectId}/close`, { ...post(), expect: 204 });
  t.equal((await d.json(`/v2/projects/${projectId}`)).status, 'closed');
  t.equal((await d.api(`/v2/projects/${projectId}/nodes/${nodes[1].node_id}`)).status, 403);
  t.equal((await d.json(`/v2/projects/${projectId}/nodes`)).length, 30, 'closed project lists nodes from the file');
  t.same(await d.json(`/v2/projects/${projectId}/stats`), { nodes: 0, links: 0, drawings: 0, snapshots: 0 });

  await d.json(`/v2/projects/${projectId}/open`, { ...post(), expect: 201 });
  const reopened = await d.json(`/v2/projects/${projectId}/nodes`, { expect: 200 });
  t.equal(reopened.length, 30);
  const alpha = reopened.find((n: any) => n.node_id === nodes[0].node_id);
  t.match(alpha, { name: 'Alpha', x: 42, label: { text: 'Alpha', x: 5 }, status: 'stopped' });
  t.equal((await d.json(`/v2/projects/${projectId}/links`)).length, 15);
  t.same(await d.json(`/v2/projects/${projectId}/stats`), { nodes: 30, links: 15, drawings: 1, snapshots: 0 });
  const more = await addVpcs(d, projectId, 'local');
  t.equal(more.name, 'PC1', 'the name freed by the rename is the first free one after reopening');
});
