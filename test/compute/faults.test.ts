/**
 * Faults under a real agent: an emulator SIGKILLed behind its back, the console port pool exhausted, and starts that
 * fail before the emulator runs (program missing, no UDP port for its tunnel). Each must fail clearly or recover, and
 * lose nothing.
 */
import t from 'tap';
import { chmodSync, copyFileSync, mkdtempSync, rmSync } from 'node:fs';
import { createSocket } from 'node:dgram';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import WebSocket from 'ws';
import { portRanges, post, VPCS_083, withDaemon, withProject } from '../helpers/daemon.ts';
import { eventually } from '../helpers/eventually.ts';
import { emulatorPids, reservedPorts } from '../helpers/leftovers.ts';
import { processAlive } from '../helpers/ports.ts';

t.setTimeout(120_000);

t.test('emulator SIGKILLed: node stopped with log.error, ports still tracked, node restartable', async (t) => {
  const daemon = await withDaemon(t, { args: ['--vpcs-path', VPCS_083] });
  const events: Array<{ action: string; event: any }> = [];
  const ws = new WebSocket(`${daemon.url.replace('http', 'ws')}/v2/compute/notifications/ws`);
  await new Promise((resolve) => ws.once('open', resolve));
  ws.on('message', (data) => events.push(JSON.parse(String(data))));
  t.teardown(() => ws.close());

  const { id: project, udpPort } = await withProject(t, daemon, 'kill');
  const base = `/v2/compute/projects/${project}/vpcs/nodes`;
  const node = await daemon.json(base, { ...post({ name: 'PC1' }), expect: 201 });
  const udp = await udpPort();
  await daemon.json(`${base}/${node.node_id}/adapters/0/ports/0/nio`, { ...post({ type: 'nio_udp', lport: udp, rhost: '127.0.0.1', rport: 9 }), expect: 201 });
  await daemon.json(`${base}/${node.node_id}/start`, { ...post(), expect: 200 });
  const [pid] = emulatorPids(daemon.child.pid!);
  t.ok(pid, 'VPCS runs under the agent');
  const portsRunning = await reservedPorts(daemon);

  process.kill(pid!, 'SIGKILL');
  const stopped = await eventually(async () => {
    const n = await daemon.json(`${base}/${node.node_id}`, { expect: 200 });
    return n.status === 'stopped' ? n : undefined;
  }, 'node reported stopped');
  t.equal(stopped.status, 'stopped');
  await eventually(() => (events.some((e) => e.action === 'node.updated' && e.event.node_id === node.node_id && e.event.status === 'stopped') ? true : undefined), 'node.updated stopped');
  const error = await eventually(() => events.find((e) => e.action === 'log.error'), 'log.error');
  t.match(error.event.message, /PC1|VPCS|died|exit|signal/i, `log.error names what happened: ${error.event.message}`);
  const portsStopped = await reservedPorts(daemon);
  t.ok(portsRunning.console_ports.includes(node.console), 'the public console port is reserved while running');
  // VPCS's own console port is allocated at each launch, so it goes back with the run; the public one stays.
  t.same(portsStopped.console_ports, [node.console], 'the node keeps its console port, gives back the internal one');
  t.ok(portsStopped.udp_ports.includes(udp), 'the NIO keeps its UDP port');
  t.notOk(processAlive(pid!), 'the killed VPCS is gone');

  const again = await daemon.json(`${base}/${node.node_id}/start`, { ...post(), expect: 200 });
  t.equal(again.status, 'started', 'the node starts again');
  const pids = emulatorPids(daemon.child.pid!);
  t.ok(pids.length > 0 && !pids.includes(pid!), 'a new VPCS runs');
  await daemon.json(`/v2/compute/projects/${project}`, { method: 'DELETE', expect: 204 });
  t.same(await reservedPorts(daemon), { console_ports: [], udp_ports: [] }, 'every port released on delete');
  t.same(emulatorPids(daemon.child.pid!), [], 'no VPCS left');
});

t.test('console port pool exhausted: clear 409, then usable again', async (t) => {
  // Three console ports: VPCS takes a public console port, so the fourth node finds none.
  const low = Number(portRanges().console.split('-')[0]);
  const daemon = await withDaemon(t, { args: ['--vpcs-path', VPCS_083, '--console-ports', `${low}-${low + 2}`] });
  const { id: project } = await withProject(t, daemon, 'pool');
  const base = `/v2/compute/projects/${project}/vpcs/nodes`;
  const created: string[] = [];
  let refused: Response | undefined;
  for (let i = 0; i < 10 && !refused; i++) {
    const response = await daemon.api(base, post({ name: `PC${i}` }));
    if (response.status === 201) created.push((await response.json()).node_id);
    else refused = response;
  }
  t.ok(refused, `a create is refused once the ${created.length} ports are taken`);
  t.equal(refused!.status, 409, 'refused with 409');
  const body = await refused!.json();
  t.match(body, { status: 409, message: /port/i }, `the message says why: ${body.message}`);
  t.equal((await daemon.api('/v2/compute/version')).status, 200, 'the agent keeps serving');

  await daemon.json(`${base}/${created[0]}`, { method: 'DELETE', expect: 204 });
  const retry = await daemon.api(base, post({ name: 'again' }));
  t.equal(retry.status, 201, 'a freed port is handed out again');
  await daemon.json(`/v2/compute/projects/${project}`, { method: 'DELETE', expect: 204 });
  t.same(await reservedPorts(daemon), { console_ports: [], udp_ports: [] });
});

t.test('a start that fails before the emulator runs keeps no tunnel port', async (t) => {
  // The configured VPCS is not there yet: launch() fails after the node's UDP tunnel was allocated for that start.
  const dir = mkdtempSync(join(tmpdir(), 'patchbay-vpcs-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const vpcs = join(dir, 'vpcs');
  const daemon = await withDaemon(t, { args: ['--vpcs-path', vpcs] });
  const { id: project, udpPort } = await withProject(t, daemon, 'failed-start');
  const base = `/v2/compute/projects/${project}/vpcs/nodes`;
  const node = await daemon.json(base, { ...post({ name: 'PC1' }), expect: 201 });
  const udp = await udpPort();
  await daemon.json(`${base}/${node.node_id}/adapters/0/ports/0/nio`, { ...post({ type: 'nio_udp', lport: udp, rhost: '127.0.0.1', rport: 9 }), expect: 201 });
  const before = await reservedPorts(daemon);

  const refused = await daemon.api(`${base}/${node.node_id}/start`, post());
  t.equal(refused.status, 409, `start refused: ${await refused.text()}`);
  t.same(await reservedPorts(daemon), before, 'the failed start gave back the tunnel it allocated');
  t.same(emulatorPids(daemon.child.pid!), [], 'no VPCS runs');
  t.equal((await daemon.json(`${base}/${node.node_id}`, { expect: 200 })).status, 'stopped', 'the node stays stopped');

  copyFileSync(VPCS_083, vpcs);
  chmodSync(vpcs, 0o755);
  const started = await daemon.json(`${base}/${node.node_id}/start`, { ...post(), expect: 200 });
  t.equal(started.status, 'started', 'the node starts once VPCS is installed');
  const running = await reservedPorts(daemon);
  t.equal(running.udp_ports.length, before.udp_ports.length + 2, 'the run holds its two tunnel ports');
  await daemon.json(`/v2/compute/projects/${project}`, { method: 'DELETE', expect: 204 });
  t.same(await reservedPorts(daemon), { console_ports: [], udp_ports: [] }, 'every port released on delete');
});

t.test('no UDP port left for the second half of a tunnel: the first half goes back too', async (t) => {
  const low = Number(portRanges().udp.split('-')[0]);
  const daemon = await withDaemon(t, { args: ['--vpcs-path', VPCS_083, '--udp-ports', `${low}-${low + 2}`] });
  const { id: project, udpPort } = await withProject(t, daemon, 'tunnel-half');
  const base = `/v2/compute/projects/${project}/vpcs/nodes`;
  const node = await daemon.json(base, { ...post({ name: 'PC1' }), expect: 201 });
  const udp = await udpPort();
  await daemon.json(`${base}/${node.node_id}/adapters/0/ports/0/nio`, { ...post({ type: 'nio_udp', lport: udp, rhost: '127.0.0.1', rport: 9 }), expect: 201 });
  // Of the two ports left, something else binds one: the tunnel gets its emulator port, then finds no relay port.
  const squatter = createSocket('udp4');
  await new Promise<void>((resolve) => squatter.bind(low + 2, '127.0.0.1', resolve));
  const before = await reservedPorts(daemon);

  const refused = await daemon.api(`${base}/${node.node_id}/start`, post());
  t.equal(refused.status, 409, `start refused: ${await refused.text()}`);
  t.same(await reservedPorts(daemon), before, 'the port allocated for the tunnel is given back');
  t.same(emulatorPids(daemon.child.pid!), [], 'no VPCS runs');

  await new Promise<void>((resolve) => squatter.close(resolve));
  const started = await daemon.json(`${base}/${node.node_id}/start`, { ...post(), expect: 200 });
  t.equal(started.status, 'started', 'the node starts once the port is free');
  await daemon.json(`/v2/compute/projects/${project}`, { method: 'DELETE', expect: 204 });
  t.same(await reservedPorts(daemon), { console_ports: [], udp_ports: [] }, 'every port released on delete');
});
