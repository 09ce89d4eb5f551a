/**
 * The NAT node through the compute API on a real daemon (as root): without the configured nat_interface the agent
 * makes its own NAT network (bridge, nftables table, dnsmasq), shared by NAT nodes and removed with the last one;
 * bad cloud mappings are refused before anything is made. Kernel names carry the test slot (pbnc<slot>...).
 */
import { execFileSync } from 'node:child_process';
import t from 'tap';
import { linkExists, linkMaster } from '../../src/hostnet/links.ts';
import { withApp } from '../helpers/app.ts';
import { claimSlot, natNetwork, post, put, withDaemon, withProject } from '../helpers/daemon.ts';
import { hostObjects, nftTableExists } from '../helpers/host.ts';
import { processAlive } from '../helpers/ports.ts';

if (process.getuid?.() !== 0) {
  t.plan(0, 'needs root (CI runs the suite as root): the NAT node creates a bridge, nftables rules and a DHCP server');
  process.exit(0);
}

const base = '/v2/compute';
const nat = natNetwork();

t.test('NAT nodes share patchbay\'s NAT network, which goes with the last of them', async (t) => {
  const daemon = await withDaemon(t);
  const { path: project } = await withProject(t, daemon, 'nat');

  const capabilities = await daemon.json(`${base}/capabilities`);
  t.ok(capabilities.node_types.includes('nat'), 'nat is a node type of this compute');

  const first = await daemon.json(`${project}/nat/nodes`, {
    ...post({ name: 'NAT1', ports_mapping: [{ name: 'x', port_number: 0, type: 'udp', lport: 1, rhost: 'h', rport: 2 }] }),
    expect: 201,
  });
  t.same(Object.keys(first).sort(), ['name', 'node_id', 'ports_mapping', 'project_id', 'status']);
  t.same(first.ports_mapping, [{ name: 'nat0', port_number: 0, type: 'ethernet', interface: nat.bridge }], 'ports_mapping sent on create is ignored');
  t.equal(first.status, 'started');
  t.ok(linkExists(nat.bridge), 'NAT bridge made');
  t.ok(nftTableExists(`patchbay-${nat.bridge}`), 'masquerade table made');
  const recorded = hostObjects(daemon);
  t.same(recorded.map((o) => o.kind), ['link', 'nft_table', 'process'], 'bridge, table and dnsmasq are in the state file');
  const dnsmasq = recorded.find((o) => o.kind === 'process');
  t.ok(dnsmasq && dnsmasq.kind === 'process' && processAlive(dnsmasq.pid), 'dnsmasq runs');

  const second = await daemon.json(`${project}/nat/nodes`, { ...post({ name: 'NAT2' }), expect: 201 });
  t.equal(second.ports_mapping[0].interface, nat.bridge, 'the second NAT node joins the same network');
  t.equal(hostObjects(daemon).length, 3, 'nothing more is made for it');

  const renamed = await daemon.json(`${project}/nat/nodes/${first.node_id}`, { ...put({ name: 'NAT1b', ports_mapping: [] }), expect: 200 });
  t.equal(renamed.name, 'NAT1b');
  t.same(renamed.ports_mapping, first.ports_mapping, 'the NAT port cannot be changed');
  t.same(await daemon.json(`${project}/nat/nodes/${first.node_id}`), renamed);
  for (const action of ['start', 'stop', 'suspend']) {
    await daemon.json(`${project}/nat/nodes/${first.node_id}/${action}`, { ...post(), expect: 204 });
  }

  await daemon.json(`${project}/nat/nodes/${first.node_id}`, { method: 'DELETE', expect: 204 });
  t.ok(linkExists(nat.bridge), 'still used by NAT2');
  await daemon.json(`${project}/nat/nodes/${second.node_id}`, { method: 'DELETE', expect: 204 });
  t.notOk(linkExists(nat.bridge), 'bridge removed with the last NAT node');
  t.notOk(nftTableExists(`patchbay-${nat.bridge}`), 'table removed');
  t.ok(dnsmasq && dnsmasq.kind === 'process' && !processAlive(dnsmasq.pid), 'dnsmasq stopped');
  t.same(hostObjects(daemon), [], 'the state file lists nothing any more');

  const third = await daemon.json(`${project}/nat/nodes`, { ...post({ name: 'NAT3' }), expect: 201 });
  t.ok(linkExists(nat.bridge), 'a new NAT node makes the network again');
  await daemon.json(`${project}/close`, { ...post(), expect: 204 });
  t.notOk(linkExists(nat.bridge), 'project close removes it too');
  t.ok(third.node_id);
});

t.test('bad input is refused, naming the field, and makes nothing', async (t) => {
  // Refused before anything touches the host: the daemon's app in-process (app.request()), with this slot's NAT names.
  const daemon = await withApp(t);
  const { path: project } = await withProject(t, daemon, 'bad');
  const udp = { name: 'UDP', port_number: 0, type: 'udp', lport: 20000, rhost: '127.0.0.1', rport: 20001 };
  const cases: Array<[string, unknown[], RegExp]> = [
    ['too long', [udp, { name: 'e', port_number: 1, type: 'ethernet', interface: 'a-sixteen-bytes!' }], /ports_mapping\[1\]\.interface.*longer than 15 bytes/],
    ['odd characters', [udp, { name: 't', port_number: 1, type: 'tap', interface: 'tap;reboot' }], /ports_mapping\[1\]\.interface.*may only contain/],
    ['path-like', [{ name: 'e', port_number: 0, type: 'ethernet', interface: '../../etc' }], /Invalid port in ports_mapping|ports_mapping\[0\]\.interface/],
    ['duplicate', [{ name: 'a', port_number: 0, type: 'tap', interface: 'pbnctap0' }, { name: 'b', port_number: 1, type: 'ethernet', interface: 'pbnctap0' }], /ports_mapping\[1\]\.interface "pbnctap0" is already mapped by ports_mapping\[0\]/],
  ];
  for (const [label, ports_mapping, message] of cases) {
    const create = await daemon.api(`${project}/cloud/nodes`, post({ name: 'Cloud', ports_mapping }));
    t.equal(create.status, 400, `${label}: 400`);
    t.match((await create.json()).message, message, label);
  }
  const cloud = await daemon.json(`${project}/cloud/nodes`, { ...post({ name: 'Cloud', ports_mapping: [udp] }), expect: 201 });
  const update = await daemon.api(`${project}/cloud/nodes/${cloud.node_id}`, put({ ports_mapping: cases[3]![1] }));
  t.equal(update.status, 400, 'the same checks on update');
  const listed = await daemon.json(`${project}/cloud/nodes/${cloud.node_id}`);
  t.same(listed.ports_mapping, [udp], 'the refused update changed nothing');

  const unnamed = await daemon.api(`${project}/nat/nodes`, post({}));
  t.equal(unnamed.status, 400, 'a NAT node needs a name (GNS3 answers 500)');
  t.match((await unnamed.json()).message, /name/);
  t.notOk(linkExists(nat.bridge), 'no NAT network was made');
  t.same(daemon.errors, [], 'no error logged');
});

t.test('without CAP_NET_ADMIN and friends: a 409 naming them, nothing made, UDP clouds still work', async (t) => {
  // As root, dropping the capabilities from the bounding set removes them from the daemon's effective set.
  const daemon = await withDaemon(t, { prefix: ['setpriv', '--bounding-set', '-net_admin,-net_raw,-net_bind_service', '--'] });
  const { path: project } = await withProject(t, daemon, 'nocaps');
  const refused = await daemon.api(`${project}/nat/nodes`, post({ name: 'NAT1' }));
  t.equal(refused.status, 409);
  const body = await refused.json();
  t.match(body.message, /CAP_NET_ADMIN, CAP_NET_BIND_SERVICE/, 'the message names the missing capabilities');
  t.match(body.message, /AmbientCapabilities/, 'and says where to grant them');
  t.notOk(linkExists(nat.bridge), 'no bridge');
  t.notOk(nftTableExists(`patchbay-${nat.bridge}`), 'no nftables table');
  t.same(hostObjects(daemon), [], 'nothing recorded');

  const udp = (await daemon.json(`${project}/ports/udp`, { ...post({}), expect: 201 })).udp_port;
  const lport = (await daemon.json(`${project}/ports/udp`, { ...post({}), expect: 201 })).udp_port;
  const cloud = await daemon.json(`${project}/cloud/nodes`, {
    ...post({ name: 'Cloud1', ports_mapping: [{ name: 'UDP', port_number: 0, type: 'udp', lport: udp, rhost: '127.0.0.1', rport: 9 }] }),
    expect: 201,
  });
  await daemon.json(`${project}/cloud/nodes/${cloud.node_id}/adapters/0/ports/0/nio`, {
    ...post({ type: 'nio_udp', lport, rhost: '127.0.0.1', rport: 10 }),
    expect: 201,
  });
  t.equal((await daemon.json(`${project}/cloud/nodes/${cloud.node_id}`)).status, 'started', 'a UDP cloud port works without them');

  const ethernet = await daemon.json(`${project}/cloud/nodes`, {
    ...post({ name: 'Cloud2', ports_mapping: [{ name: 'lo', port_number: 0, type: 'ethernet', interface: 'lo' }] }),
    expect: 201,
  });
  const raw = await daemon.api(`${project}/cloud/nodes/${ethernet.node_id}/adapters/0/ports/0/nio`, post({ type: 'nio_udp', lport: udp + 2, rhost: '127.0.0.1', rport: 11 }));
  t.equal(raw.status, 409, 'a cloud ethernet port: 409');
  t.match((await raw.json()).message, /CAP_NET_RAW/, 'naming CAP_NET_RAW');
  const again = await daemon.api(`${project}/cloud/nodes/${ethernet.node_id}/adapters/0/ports/0/nio`, post({ type: 'nio_udp', lport: udp + 2, rhost: '127.0.0.1', rport: 11 }));
  t.equal(again.status, 409, 'the refused NIO was not kept (the port is not "busy")');
  t.match((await again.json()).message, /CAP_NET_RAW/);
  t.equal((await daemon.api(`${base}/version`)).status, 200, 'the daemon is fine');
});

t.test('SIGTERM removes the NAT network with everything else', async (t) => {
  const daemon = await withDaemon(t);
  const { path: project } = await withProject(t, daemon, 'term');
  await daemon.json(`${project}/nat/nodes`, { ...post({ name: 'NAT1' }), expect: 201 });
  t.ok(linkExists(nat.bridge));
  t.equal(await daemon.stop(), 0, 'clean exit');
  t.notOk(linkExists(nat.bridge), 'bridge removed');
  t.notOk(nftTableExists(`patchbay-${nat.bridge}`), 'table removed');
});

t.test('with nat_interface present (libvirt\'s virbr0 on a real host), the NAT port is a TAP device on it and nothing else is made', async (t) => {
  const slot = claimSlot();
  const virbr = `pbnc${slot}virbr`;
  execFileSync('ip', ['link', 'add', 'name', virbr, 'type', 'bridge']);
  t.teardown(() => execFileSync('ip', ['link', 'del', virbr]));
  const daemon = await withDaemon(t, { args: ['--nat-interface', virbr] });
  const { path: project } = await withProject(t, daemon, 'virbr');
  const node = await daemon.json(`${project}/nat/nodes`, { ...post({ name: 'NAT1' }), expect: 201 });
  t.same(node.ports_mapping, [{ name: 'nat0', port_number: 0, type: 'ethernet', interface: virbr }]);
  t.notOk(linkExists(nat.bridge), 'no NAT network of patchbay\'s own');
  t.same(hostObjects(daemon), [], 'nothing made yet');
  const lport = (await daemon.json(`${project}/ports/udp`, { ...post({}), expect: 201 })).udp_port;
  await daemon.json(`${project}/nat/nodes/${node.node_id}/adapters/0/ports/0/nio`, { ...post({ type: 'nio_udp', lport, rhost: '127.0.0.1', rport: 9 }), expect: 201 });
  const [tap] = hostObjects(daemon);
  t.match(tap, { kind: 'link', name: /^gns3tap\d+-0$/ }, 'a TAP device, recorded');
  t.equal(tap?.kind === 'link' && linkMaster(tap.name), virbr, 'on that bridge');
  t.equal((await daemon.json(`${project}/nat/nodes/${node.node_id}`)).status, 'started');
  await daemon.json(`${project}/nat/nodes/${node.node_id}`, { method: 'DELETE', expect: 204 });
  t.notOk(tap?.kind === 'link' && linkExists(tap.name), 'the TAP device goes with the node');
  t.ok(linkExists(virbr), 'the bridge stays: it is not the agent\'s');
  t.same(hostObjects(daemon), []);
});
