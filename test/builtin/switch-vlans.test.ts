/** Builtin switches through the compute API: access VLANs keep VPCS apart, a dot1q trunk carries tagged VLANs (tshark-checked). */
import t from 'tap';
import { execFileSync } from 'node:child_process';
import { post, VPCS_083, withDaemon, withProject, type ComputeProject } from '../helpers/daemon.ts';
import { TelnetClient } from '../helpers/telnet.ts';
import { ping, setIp } from '../helpers/vpcs-console.ts';

// One daemon for the file: each test has its own project, closed (its VPCS stopped) when the test ends.
const daemon = await withDaemon(t, { args: ['--vpcs-path', VPCS_083] });

/** Links VPCS `pcId` port 0 to `node` port `port` with two fresh UDP ports. */
async function link({ path: project, udpPort }: ComputeProject, pcId: string, type: string, nodeId: string, port: number) {
  const [a, b] = await Promise.all([udpPort(), udpPort()]);
  await daemon.json(`${project}/vpcs/nodes/${pcId}/adapters/0/ports/0/nio`, {
    ...post({ type: 'nio_udp', lport: a, rhost: '127.0.0.1', rport: b }),
    expect: 201,
  });
  return daemon.json(`${project}/${type}/nodes/${nodeId}/adapters/0/ports/${port}/nio`, {
    ...post({ type: 'nio_udp', lport: b, rhost: '127.0.0.1', rport: a }),
    expect: 201,
  });
}

t.test('VPCS through an ethernet_switch', async (t) => {
  const compute = await withProject(t, daemon, 'vlans');
  const project = compute.path;

  const sw = await daemon.json(`${project}/ethernet_switch/nodes`, {
    ...post({
      name: 'SW1',
      ports_mapping: [
        { name: 'Ethernet0', port_number: 0, type: 'access', vlan: 10 },
        { name: 'Ethernet1', port_number: 1, type: 'access', vlan: 10 },
        { name: 'Ethernet2', port_number: 2, type: 'access', vlan: 20 },
      ],
    }),
    expect: 201,
  });
  t.match(sw, { name: 'SW1', status: 'started', console_type: 'none', console: Number });

  const pcs = [];
  for (const name of ['PC1', 'PC2', 'PC3']) {
    pcs.push(await daemon.json(`${project}/vpcs/nodes`, { ...post({ name }), expect: 201 }));
  }
  for (const [i, pc] of pcs.entries()) await link(compute, pc.node_id, 'ethernet_switch', sw.node_id, i);
  const dup = await daemon.api(`${project}/ethernet_switch/nodes/${sw.node_id}/adapters/0/ports/0/nio`, post({
    type: 'nio_udp', lport: 1, rhost: '127.0.0.1', rport: 2,
  }));
  t.equal(dup.status, 409, 'an occupied switch port is refused');

  const started = [];
  for (const pc of pcs) started.push(await daemon.json(`${project}/vpcs/nodes/${pc.node_id}/start`, { ...post(), expect: 200 }));
  const consoles = await Promise.all(started.map((pc) => TelnetClient.connect(pc.console)));
  t.teardown(() => consoles.forEach((c) => c.close()));
  await Promise.all(consoles.map((console, i) => setIp(console, `10.0.0.${i + 1}`)));

  t.match(await ping(consoles[0]!, '10.0.0.2', { count: 2 }), /84 bytes from 10\.0\.0\.2 icmp_seq=1/, 'same VLAN: PC1 reaches PC2');
  // One attempt: retries are for a slow first answer, and here no answer is the expected outcome.
  t.notMatch(await ping(consoles[0]!, '10.0.0.3', { count: 2, attempts: 1 }), /bytes from 10\.0\.0\.3/, 'other VLAN: PC1 cannot reach PC3');

  // Moving PC3's port into VLAN 10 live lets it in.
  await daemon.json(`${project}/ethernet_switch/nodes/${sw.node_id}`, {
    method: 'PUT',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({
      ports_mapping: [
        { name: 'a', port_number: 0, type: 'access', vlan: 10 },
        { name: 'b', port_number: 1, type: 'access', vlan: 10 },
        { name: 'c', port_number: 2, type: 'access', vlan: 10 },
      ],
    }),
    expect: 200,
  });
  t.match(await ping(consoles[0]!, '10.0.0.3', { count: 2 }), /bytes from 10\.0\.0\.3/, 'after the VLAN change PC1 reaches PC3');

  const deleted = await daemon.api(`${project}/ethernet_switch/nodes/${sw.node_id}/adapters/0/ports/5/nio`, { method: 'DELETE' });
  t.equal(deleted.status, 409);
});

t.test('a dot1q trunk between two switches carries both VLANs, tagged on the wire', async (t) => {
  const compute = await withProject(t, daemon, 'trunk');
  const project = compute.path;
  const ports = [
    { name: 'Ethernet0', port_number: 0, type: 'access', vlan: 10 },
    { name: 'Ethernet1', port_number: 1, type: 'access', vlan: 20 },
    { name: 'Ethernet2', port_number: 2, type: 'dot1q', vlan: 1 },
  ];
  const switches = [];
  for (const name of ['SW1', 'SW2']) {
    switches.push(await daemon.json(`${project}/ethernet_switch/nodes`, { ...post({ name, ports_mapping: ports }), expect: 201 }));
  }
  const [sw1, sw2] = switches;
  const [x, y] = await Promise.all([compute.udpPort(), compute.udpPort()]);
  await daemon.json(`${project}/ethernet_switch/nodes/${sw1.node_id}/adapters/0/ports/2/nio`, { ...post({ type: 'nio_udp', lport: x, rhost: '127.0.0.1', rport: y }), expect: 201 });
  await daemon.json(`${project}/ethernet_switch/nodes/${sw2.node_id}/adapters/0/ports/2/nio`, { ...post({ type: 'nio_udp', lport: y, rhost: '127.0.0.1', rport: x }), expect: 201 });

  // PC1 (VLAN 10) and PC2 (VLAN 20) on SW1; PC3 (VLAN 10) and PC4 (VLAN 20) on SW2.
  const pcs = [];
  for (const [i, name] of ['PC1', 'PC2', 'PC3', 'PC4'].entries()) {
    const pc = await daemon.json(`${project}/vpcs/nodes`, { ...post({ name }), expect: 201 });
    await link(compute, pc.node_id, 'ethernet_switch', (i < 2 ? sw1 : sw2).node_id, i % 2);
    pcs.push(await daemon.json(`${project}/vpcs/nodes/${pc.node_id}/start`, { ...post(), expect: 200 }));
  }
  const capture = await daemon.json(`${project}/ethernet_switch/nodes/${sw1.node_id}/adapters/0/ports/2/start_capture`, {
    ...post({ capture_file_name: 'trunk.pcap', data_link_type: 'DLT_EN10MB' }),
    expect: 200,
  });
  const consoles = await Promise.all(pcs.map((pc) => TelnetClient.connect(pc.console)));
  t.teardown(() => consoles.forEach((c) => c.close()));
  // Both VLANs use the same subnet: only the tags keep them apart.
  await Promise.all(consoles.map((console, i) => setIp(console, `10.0.0.${i + 1}`)));

  t.match(await ping(consoles[0]!, '10.0.0.3', { count: 2 }), /bytes from 10\.0\.0\.3/, 'VLAN 10 crosses the trunk');
  t.match(await ping(consoles[1]!, '10.0.0.4', { count: 2 }), /bytes from 10\.0\.0\.4/, 'VLAN 20 crosses the trunk');
  t.notMatch(await ping(consoles[0]!, '10.0.0.4', { count: 2, attempts: 1 }), /bytes from 10\.0\.0\.4/, 'VLAN 10 cannot reach VLAN 20');
  await daemon.json(`${project}/ethernet_switch/nodes/${sw1.node_id}/adapters/0/ports/2/stop_capture`, { ...post(), expect: 204 });

  const decoded = execFileSync('tshark', ['-r', capture.pcap_file_path, '-Y', 'icmp', '-T', 'fields', '-e', 'vlan.id', '-e', 'icmp.type'], { encoding: 'utf8' });
  const seen = new Set(decoded.trim().split('\n').map((line) => line.trim().replace(/\s+/, ' ')));
  for (const vlan of ['10', '20']) {
    t.ok(seen.has(`${vlan} 8`) && seen.has(`${vlan} 0`), `tshark decodes ICMP echo request and reply tagged with VLAN ${vlan} on the trunk`);
  }
});
