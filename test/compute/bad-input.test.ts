/**
 * Issue #2, must-show 3: bad input gets the right 4xx JSON, and the daemon keeps serving without leaking anything.
 * The table runs in-process (no emulator is involved); link filters need a running VPCS, so a real daemon.
 */
import t from 'tap';
import { randomUUID } from 'node:crypto';
import { withApp } from '../helpers/app.ts';
import { VPCS_083, withDaemon, withProject } from '../helpers/daemon.ts';

const auth = { authorization: `Basic ${Buffer.from('admin:s3cret').toString('base64')}` };

t.test('bad input table', async (t) => {
  // Every case is answered before any emulator would run: the daemon's whole app in-process, through app.request().
  const { api, errors } = await withApp(t, 'agent', { vpcs_path: VPCS_083, user: 'admin', password: 's3cret' });
  const call = (method: string, path: string, body?: string, headers: Record<string, string> = auth) =>
    api(path, { method, body, headers: { 'content-type': 'application/json', ...headers } });

  const projectId = randomUUID();
  const base = `/v2/compute/projects/${projectId}`;
  t.equal((await call('POST', '/v2/compute/projects', JSON.stringify({ name: 'bad', project_id: projectId }))).status, 201);
  const node = await (await call('POST', `${base}/vpcs/nodes`, JSON.stringify({ name: 'PC1' }))).json();
  const nodePath = `${base}/vpcs/nodes/${node.node_id}`;
  await call('POST', `${base}/files/inside.txt`, 'hello');

  const cases: Array<{ name: string; method: string; path: string; body?: string; headers?: Record<string, string>; status: number; message: RegExp }> = [
    { name: 'malformed JSON', method: 'POST', path: '/v2/compute/projects', body: '{bad json', status: 400, message: /Invalid JSON/ },
    { name: 'JSON that is not an object', method: 'POST', path: '/v2/compute/projects', body: '[1,2]', status: 400, message: /must be a JSON object/ },
    { name: 'wrong type', method: 'POST', path: '/v2/compute/projects', body: '{"name": 12}', status: 400, message: /"name"/ },
    { name: 'missing required field', method: 'POST', path: `${base}/vpcs/nodes`, body: '{}', status: 400, message: /"name"/ },
    { name: 'unknown field', method: 'POST', path: `${base}/vpcs/nodes`, body: '{"name":"x","bogus":1}', status: 400, message: /"bogus"/ },
    { name: 'bad enum value', method: 'POST', path: `${base}/vpcs/nodes`, body: '{"name":"x","console_type":"vnc"}', status: 400, message: /"console_type"/ },
    { name: 'console port out of range', method: 'POST', path: `${base}/vpcs/nodes`, body: '{"name":"x","console":70000}', status: 400, message: /"console"/ },
    { name: 'project id not a UUID (body)', method: 'POST', path: '/v2/compute/projects', body: '{"name":"x","project_id":"nope"}', status: 400, message: /"project_id"/ },
    { name: 'unknown node type', method: 'POST', path: `${base}/iou/nodes`, body: '{"name":"x"}', status: 404, message: /iou/ },
    { name: 'project id not a UUID (URL)', method: 'GET', path: '/v2/compute/projects/not-a-uuid', status: 400, message: /not a valid UUID/ },
    { name: 'unknown project', method: 'GET', path: `/v2/compute/projects/${randomUUID()}`, status: 404, message: /doesn't exist/ },
    { name: 'node id not a UUID', method: 'GET', path: `${base}/vpcs/nodes/123`, status: 400, message: /Node ID 123 is not a valid UUID/ },
    { name: 'unknown node', method: 'GET', path: `${base}/vpcs/nodes/${randomUUID()}`, status: 404, message: /doesn't exist/ },
    { name: 'NIO with a string port', method: 'POST', path: `${nodePath}/adapters/0/ports/0/nio`, body: '{"type":"nio_udp","lport":"x","rhost":"127.0.0.1","rport":2}', status: 400, message: /"lport"/ },
    { name: 'NIO of unknown type', method: 'POST', path: `${nodePath}/adapters/0/ports/0/nio`, body: '{"type":"nio_bogus"}', status: 400, message: /type/ },
    { name: 'NIO on a port VPCS lacks', method: 'POST', path: `${nodePath}/adapters/0/ports/1/nio`, body: '{"type":"nio_udp","lport":2,"rhost":"127.0.0.1","rport":3}', status: 409, message: /Port 1 doesn't exist/ },
    { name: 'NIO of an unsupported type', method: 'POST', path: `${nodePath}/adapters/0/ports/0/nio`, body: '{"type":"nio_ethernet","ethernet_device":"eth0"}', status: 409, message: /not supported/ },
    { name: 'NIO update on a free port', method: 'PUT', path: `${nodePath}/adapters/0/ports/0/nio`, body: '{"type":"nio_udp","lport":2,"rhost":"127.0.0.1","rport":3}', status: 409, message: /not connected/ },
    { name: 'capture on a free port', method: 'POST', path: `${nodePath}/adapters/0/ports/0/start_capture`, body: '{"capture_file_name":"x.pcap"}', status: 409, message: /not connected/ },
    { name: 'pcap stream without capture', method: 'GET', path: `${nodePath}/adapters/0/ports/0/pcap`, status: 409, message: /not connected|no packet capture/ },
    { name: 'console websocket on a stopped node', method: 'GET', path: `${nodePath}/console/ws`, status: 409, message: /not started/ },
    { name: 'duplicate without destination', method: 'POST', path: `${nodePath}/duplicate`, body: '{}', status: 400, message: /"destination_node_id"/ },
    { name: 'path traversal (encoded ..)', method: 'GET', path: `${base}/files/..%2F..%2F..%2Fetc%2Fpasswd`, status: 403, message: /Forbidden/ },
    { name: 'path traversal (absolute)', method: 'GET', path: `${base}/files/%2Fetc%2Fpasswd`, status: 403, message: /Forbidden/ },
    { name: 'path traversal on write', method: 'POST', path: `${base}/files/..%2Fescaped.txt`, body: 'x', status: 403, message: /Forbidden/ },
    { name: 'missing file', method: 'GET', path: `${base}/files/nope.txt`, status: 404, message: /Not Found/ },
    { name: 'oversized body', method: 'POST', path: '/v2/compute/projects', body: JSON.stringify({ name: 'x'.repeat(2 * 1024 * 1024) }), status: 413, message: /larger than/ },
    { name: 'wrong credentials', method: 'GET', path: '/v2/compute/version', headers: { authorization: `Basic ${Buffer.from('admin:wrong').toString('base64')}` }, status: 401, message: /Unauthorized/ },
    { name: 'no credentials', method: 'GET', path: '/v2/compute/version', headers: {}, status: 401, message: /Unauthorized/ },
    { name: 'wrong credentials beat malformed JSON', method: 'POST', path: '/v2/compute/projects', body: '{bad', headers: {}, status: 401, message: /Unauthorized/ },
    { name: 'unknown route', method: 'GET', path: '/v2/compute/nothing-here', status: 404, message: /Not Found/ },
  ];

  for (const c of cases) {
    const response = await call(c.method, c.path, c.body, c.headers ?? auth);
    const text = await response.text();
    let body: { status?: number; message?: string } = {};
    try {
      body = JSON.parse(text);
    } catch {
      // Asserted below.
    }
    t.equal(response.status, c.status, `${c.name}: status`);
    t.equal(body.status, c.status, `${c.name}: JSON body carries the status`);
    t.match(body.message ?? '', c.message, `${c.name}: message (${body.message})`);
  }

  const passwd = await call('GET', `${base}/files/inside.txt`);
  t.equal(await passwd.text(), 'hello', 'files inside the project are still served');
  t.equal((await call('GET', '/v2/compute/version')).status, 200, 'the daemon keeps serving');
  t.equal((await call('POST', `${base}/close`)).status, 204);
  const ports = await (await call('GET', '/v2/compute/network/ports')).json();
  t.same([ports.console_ports, ports.udp_ports], [[], []], 'no port leaked');
  t.same(errors, [], 'no error logged (an internal error would be)');
});

t.test('bad link filters are a 400 naming the filter, good ones apply to a live bridge', async (t) => {
  const daemon = await withDaemon(t, { args: ['--vpcs-path', VPCS_083] });
  const { path: base, udpPort } = await withProject(t, daemon, 'filters');
  const send = (method: string, path: string, body: unknown) =>
    daemon.api(path, { method, body: JSON.stringify(body), headers: { 'content-type': 'application/json' } });
  const node = await (await send('POST', `${base}/vpcs/nodes`, { name: 'PC1' })).json();
  const nio = `${base}/vpcs/nodes/${node.node_id}/adapters/0/ports/0/nio`;
  const [lport, rport] = await Promise.all([udpPort(), udpPort()]);
  const udp = { type: 'nio_udp', lport, rhost: '127.0.0.1', rport };
  t.equal((await send('POST', nio, udp)).status, 201);
  t.equal((await send('POST', `${base}/vpcs/nodes/${node.node_id}/start`, {})).status, 200);
  for (const [filters, pattern] of [
    [{ packet_loss: [150] }, /packet_loss/],
    [{ teleport: [1] }, /teleport/],
    [{ bpf: ['icmp and frobnicate'] }, /frobnicate/],
  ] as const) {
    const response = await send('PUT', nio, { ...udp, filters });
    const body = await response.json();
    t.equal(response.status, 400, `${JSON.stringify(filters)} rejected`);
    t.match(body.message, pattern, `message names the problem: ${body.message}`);
  }
  const good = await send('PUT', nio, { ...udp, filters: { delay: [10, 2], bpf: ['icmp'] }, suspend: true });
  t.equal(good.status, 201, 'valid filters accepted on a running node');
  t.equal((await send('POST', `${base}/vpcs/nodes/${node.node_id}/stop`, {})).status, 204);
});
