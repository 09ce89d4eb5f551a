/** The seed session of the v3 spec (§6) through /v3 with a bearer token, then the same project read through /v2. */
import t from 'tap';
import { withDaemon } from '../helpers/daemon.ts';
import { pingAcross } from '../controller/helpers.ts';
import { V3_VPCS_TEMPLATE, bearer, login, openSocket } from './helpers.ts';

t.test('seed session through /v3: login, project, two VPCS, link, start, console, ping, capture, stop', async (t) => {
  const d = await withDaemon(t, { mode: 'controller' });
  const version = await d.json('/v3/version', { expect: 200 });
  t.same(version, { controller_host: null, version: '3.0.6', local: false });
  const token = await login(d);
  const api = bearer(d, token);
  const ws = d.url.replace(/^http/, 'ws');

  let listening = () => {};
  const ready = new Promise<void>((resolve) => (listening = resolve));
  const events = openSocket(`${ws}/v3/notifications/ws?token=${token}`, (f) => {
    listening(); // the first frame (a ping) says the controller listens for us: only then is the project created
    return f.some((x) => String(x).includes('"project.created"'));
  });
  await ready;
  const project = await api('POST', '/v3/projects', { name: 'seed', unknown_key: 'dropped' }, 201);
  const controllerEvents = (await events).frames.map((f) => JSON.parse(String(f)));
  t.same(Object.keys(controllerEvents[0].event).sort(), ['cpu_usage_percent', 'disk_usage_percent', 'memory_usage_percent'], 'first frame: 3.0 ping');
  t.ok(controllerEvents.some((m) => m.action === 'project.created' && m.event.project_id === project.project_id));
  (await events).socket?.close();

  const templates = await api('GET', '/v3/templates', undefined, 200);
  t.equal(templates.find((x: any) => x.builtin && x.template_type === 'vpcs').template_id, V3_VPCS_TEMPLATE);
  const pid = project.project_id;
  const pc1 = await api('POST', `/v3/projects/${pid}/templates/${V3_VPCS_TEMPLATE}`, { x: -100, y: 0, compute_id: 'local' }, 201);
  const pc2 = await api('POST', `/v3/projects/${pid}/templates/${V3_VPCS_TEMPLATE}`, { x: 100, y: 0, compute_id: 'local', name: 'ignored' }, 201);
  t.same([pc1.name, pc2.name], ['PC1', 'PC2'], 'names come from the template');
  t.match(pc1, { aux: null, aux_type: null, template_id: V3_VPCS_TEMPLATE, node_type: 'vpcs' });
  const ends = [pc1, pc2].map((n) => ({ node_id: n.node_id, adapter_number: 0, port_number: 0 }));
  const link = await api('POST', `/v3/projects/${pid}/links`, { nodes: ends, label: 'ignored in 3.0' }, 201);

  const missingBody = await d.api(`/v3/projects/${pid}/nodes/${pc1.node_id}/start`, { method: 'POST', headers: { authorization: `Bearer ${token}` } });
  t.equal(missingBody.status, 422, 'single-node start needs a JSON body');
  t.equal(await api('POST', `/v3/projects/${pid}/nodes/start`, undefined, 204), null);
  t.equal(await api('POST', `/v3/projects/${pid}/nodes/${pc1.node_id}/start`, {}, 204), null, 'already started: still 204');
  const started = await api('GET', `/v3/projects/${pid}/nodes/${pc1.node_id}`, undefined, 200);
  t.match(started, { status: 'started', console_host: '127.0.0.1' });

  const nodes = await api('GET', `/v3/projects/${pid}/nodes`, undefined, 200);
  t.match(await pingAcross(nodes.map((n: any) => ({ host: '127.0.0.1', port: n.console }))), /10\.0\.0\.2 icmp_seq=3 ttl=/);

  // Console over the WebSocket: text in, binary out.
  const consoleWs = await openSocket(
    `${ws}/v3/projects/${pid}/nodes/${pc1.node_id}/console/ws?token=${token}`,
    (frames) => Buffer.concat(frames.map((f) => (typeof f === 'string' ? Buffer.from(f) : f))).includes('PC1>'),
    (socket) => socket.send('\n'),
  );
  t.ok(consoleWs.frames.every((f) => Buffer.isBuffer(f)), 'console frames are binary');
  consoleWs.socket?.close();

  const capturing = await api('POST', `/v3/projects/${pid}/links/${link.link_id}/capture/start`, {}, 201);
  t.match(capturing, { capturing: true, capture_file_name: 'PC1_0-0_to_PC2_0-0.pcap', capture_compute_id: 'local' });
  const stream = await d.api(`/v3/projects/${pid}/links/${link.link_id}/capture/stream`, { headers: { authorization: `Bearer ${token}` } });
  t.equal(stream.headers.get('content-type'), 'application/vnd.tcpdump.pcap');
  const reader = stream.body!.getReader();
  const { value } = await reader.read();
  t.equal(Buffer.from(value!).readUInt32LE(0), 0xa1b2c3d4, 'pcap magic');
  await reader.cancel();
  t.equal(await api('POST', `/v3/projects/${pid}/links/${link.link_id}/capture/stop`, undefined, 204), null);
  t.match(await api('GET', `/v3/projects/${pid}/links/${link.link_id}`, undefined, 200), { capturing: false, capture_file_name: 'PC1_0-0_to_PC2_0-0.pcap' });
  t.equal(await api('POST', `/v3/projects/${pid}/nodes/stop`, undefined, 204), null);

  // One domain, two APIs: the same project through /v2.
  const v2Nodes = await d.json(`/v2/projects/${pid}/nodes`, { expect: 200 });
  t.same(v2Nodes.map((n: any) => [n.name, n.status]), [['PC1', 'stopped'], ['PC2', 'stopped']]);
  t.equal((await d.json(`/v2/projects/${pid}/links`, { expect: 200 }))[0].link_id, link.link_id);
  t.equal((await d.json(`/v2/projects/${pid}`, { expect: 200 })).name, 'seed');
  t.equal((await d.json('/v2/version', { expect: 200 })).version, '2.2.59', 'v2 keeps its own version');
});
