/** An agent as a GNS3 3.0 compute: /v3/compute with Basic auth, registered through /v3/computes, a cross-agent ping. */
import t from 'tap';
import { withDaemon, portRanges } from '../helpers/daemon.ts';
import { pingAcross } from '../controller/helpers.ts';
import { V3_VPCS_TEMPLATE, bearer, login, openSocket } from './helpers.ts';

t.setTimeout(180_000);

t.test('agent registered through /v3/computes runs a node linked to one on the controller', async (t) => {
  const own = portRanges(0, 2);
  const controller = await withDaemon(t, { mode: 'controller', args: ['--console-ports', own.console, '--udp-ports', own.udp] });
  const ranges = portRanges(1, 2);
  const agent = await withDaemon(t, {
    mode: 'agent',
    args: ['--console-ports', ranges.console, '--udp-ports', ranges.udp, '--user', 'gns3', '--password', 's3cret', '--gns3-version', '3.0.6'],
  });
  const basic = `Basic ${Buffer.from('gns3:s3cret').toString('base64')}`;

  t.test('the agent speaks /v3/compute', async (t) => {
    const anonymous = await agent.api('/v3/compute/version');
    t.equal(anonymous.status, 401);
    t.equal(anonymous.headers.get('www-authenticate'), 'Basic');
    t.same(await anonymous.json(), { message: 'Not authenticated' });
    const wrong = await agent.api('/v3/compute/version', { headers: { authorization: `Basic ${Buffer.from('gns3:nope').toString('base64')}` } });
    t.same([wrong.status, await wrong.json()], [401, { message: 'Invalid compute username or password' }]);
    t.same(await agent.json('/v3/compute/version', { headers: { authorization: basic }, expect: 200 }), { version: '3.0.6' });
    t.equal((await agent.json('/v2/compute/version', { headers: { authorization: basic }, expect: 200 })).version, '2.2.59', '/v2 keeps its version');
    const caps = await agent.json('/v3/compute/capabilities', { headers: { authorization: basic }, expect: 200 });
    t.same(Object.keys(caps).sort(), ['cpus', 'disk_size', 'memory', 'node_types', 'platform', 'version']);
    t.ok(caps.node_types.includes('vpcs'));
    const invalid = await agent.api('/v3/compute/projects', { method: 'POST', headers: { authorization: basic, 'content-type': 'application/json' }, body: '{"name": 3}' });
    t.equal(invalid.status, 422);
    t.match(await invalid.json(), { detail: [{ loc: ['body'] }] });
    t.same(await agent.json('/v3/compute/nowhere', { headers: { authorization: basic }, expect: 404 }), { message: 'Not Found' });

    const ws = agent.url.replace(/^http/, 'ws');
    const refused = await openSocket(`${ws}/v3/compute/notifications/ws`, () => false);
    t.equal(refused.closeCode, 1008, 'Basic auth is checked after the upgrade');
    t.match(JSON.parse(String(refused.frames[0])), { action: 'log.error' });
    const WebSocket = (await import('ws')).default;
    const first = await new Promise<any>((resolve, reject) => {
      const socket = new WebSocket(`${ws}/v3/compute/notifications/ws`, { headers: { authorization: basic } });
      socket.on('message', (data) => {
        resolve(JSON.parse(String(data)));
        socket.close();
      });
      socket.on('error', reject);
    });
    t.equal(first.action, 'ping');
    t.type(first.event.disk_usage_percent, 'number', 'the key a 3.0 controller indexes');
  });

  const token = await login(controller);
  const api = bearer(controller, token);
  const port = Number(new URL(agent.url).port);
  // Every controller event of the session, and the agent's own v3 compute events, kept for the checks at the end.
  const controllerEvents: any[] = [];
  let listening = () => {};
  const ready = new Promise<void>((resolve) => (listening = resolve));
  const controllerSocket = openSocket(`${controller.url.replace(/^http/, 'ws')}/v3/notifications/ws?token=${token}`, (frames) => {
    listening(); // the first frame (a ping) says the controller listens for us
    controllerEvents.splice(0, controllerEvents.length, ...frames.map((f) => JSON.parse(String(f))));
    return controllerEvents.filter((m) => m.action === 'compute.deleted').length === 2;
  });
  await ready;
  const agentEvents: any[] = [];
  const WebSocketClient = (await import('ws')).default;
  const agentSocket = new WebSocketClient(`${agent.url.replace(/^http/, 'ws')}/v3/compute/notifications/ws`, { headers: { authorization: basic } });
  t.teardown(() => agentSocket.close());
  // Its first frame is a ping: from then on the agent sends us its events.
  await new Promise<void>((resolve) => agentSocket.on('message', (data) => {
    agentEvents.push(JSON.parse(String(data)));
    resolve();
  }));
  const body = { protocol: 'http', host: '127.0.0.1', port, user: 'gns3', password: 's3cret' };
  const connectedIds = async () => (await api('GET', '/v3/statistics', undefined, 200)).map((s: any) => s.compute_id);
  // Without connect=true 3.0 only registers the compute: nothing is sent to it until asked.
  const registered = await api('POST', '/v3/computes', body, 201);
  t.match(registered, { connected: null, capabilities: null, password: '**********', name: `http://gns3@127.0.0.1:${port}` });
  t.match(registered.created_at, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d$/, 'naive ISO time, as 3.0 stores it');
  t.equal(registered.updated_at, registered.created_at);
  t.match(registered.compute_id, /^[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-/, 'UUIDv5 of the URL');
  // Requests to the local compute meanwhile give a (wrongly) connecting compute time to show up.
  await api('GET', '/v3/computes/local/network/interfaces', undefined, 200);
  t.same(await connectedIds(), ['local'], 'registered, not connected');
  await api('POST', `/v3/computes/${registered.compute_id}/connect`, undefined, 204);
  t.same((await connectedIds()).sort(), [registered.compute_id, 'local'].sort(), 'connected on request');
  const renamed = await api('PUT', `/v3/computes/${registered.compute_id}`, { name: 'agent' }, 200);
  t.equal(renamed.created_at, registered.created_at);
  t.ok(renamed.updated_at >= registered.created_at);
  t.same((await api('GET', '/v3/computes', undefined, 200)).map((c: any) => [c.compute_id, c.password]), [[registered.compute_id, '**********']]);
  t.match(await api('POST', '/v3/computes?connect=true', body, 400), { message: /already registered/ });

  const project = await api('POST', '/v3/projects', { name: 'fed3' }, 201);
  const pid = project.project_id;
  const pc1 = await api('POST', `/v3/projects/${pid}/templates/${V3_VPCS_TEMPLATE}`, { x: 0, y: 0, compute_id: 'local' }, 201);
  const pc2 = await api('POST', `/v3/projects/${pid}/templates/${V3_VPCS_TEMPLATE}`, { x: 100, y: 0, compute_id: registered.compute_id }, 201);
  t.equal(pc2.compute_id, registered.compute_id);
  const ends = [pc1, pc2].map((n) => ({ node_id: n.node_id, adapter_number: 0, port_number: 0 }));
  await api('POST', `/v3/projects/${pid}/links`, { nodes: ends }, 201);
  await api('POST', `/v3/projects/${pid}/nodes/start`, undefined, 204);
  const nodes = await api('GET', `/v3/projects/${pid}/nodes`, undefined, 200);
  t.same(nodes.map((n: any) => n.status), ['started', 'started']);
  t.match(await pingAcross(nodes.map((n: any) => ({ host: n.console_host, port: n.console }))), /10\.0\.0\.2 icmp_seq=3 ttl=/, 'ping crosses agents');
  await api('POST', `/v3/projects/${pid}/nodes/stop`, undefined, 204);
  await api('DELETE', `/v3/projects/${pid}`, undefined, 204);
  await api('DELETE', `/v3/computes/${registered.compute_id}`, undefined, 204);
  t.same(await api('GET', '/v3/computes', undefined, 200), []);

  // The controller stream carries 3.0's compute JSON, and compute.deleted twice (the JSON, then the id alone).
  (await controllerSocket).socket?.close();
  const ofAgent = controllerEvents.filter((m) => m.action.startsWith('compute.') && m.event.compute_id === registered.compute_id);
  t.equal(ofAgent[0].action, 'compute.created');
  const live = ofAgent.find((m) => m.action === 'compute.updated' && m.event.connected);
  t.same(Object.keys(live.event).sort(), [
    'capabilities', 'compute_id', 'connected', 'cpu_usage_percent', 'created_at', 'disk_usage_percent', 'host', 'last_error', 'memory_usage_percent',
    'name', 'password', 'port', 'protocol', 'updated_at', 'user',
  ]);
  t.equal(live.event.password, '**********');
  t.same(Object.keys(live.event.capabilities).sort(), ['cpus', 'disk_size', 'memory', 'node_types', 'platform', 'version']);
  t.same(ofAgent.filter((m) => m.action === 'compute.deleted').map((m) => Object.keys(m.event).length > 1 ? 'full' : m.event), ['full', { compute_id: registered.compute_id }]);
  const local = controllerEvents.find((m) => m.action === 'compute.updated' && m.event.compute_id === 'local');
  t.type(local?.event.disk_usage_percent, 'number', 'the local compute shows in compute.updated, with its disk usage');

  // The agent's v3 compute stream carried the node events of its node, project id at the envelope's level.
  const started = agentEvents.find((m) => m.action === 'node.updated' && m.event.node_id === pc2.node_id && m.event.status === 'started');
  t.equal(started?.project_id, pid);
});
