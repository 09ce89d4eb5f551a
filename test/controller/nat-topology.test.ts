/**
 * A NAT node through the controller, from the builtin templates (gns3fy-style use): NAT, an Ethernet switch and two
 * VPCS. Both VPCS get a DHCP lease from the NAT network (`ip dhcp`) and ping its gateway; the project is saved, closed
 * (the NAT network goes), reopened and started again, and works; deleting the NAT node removes every device, rule and
 * process it made. Real daemon, VPCS, kernel bridge, TAP devices, dnsmasq and nftables (as root); the test slot's
 * subnet 10.250.<slot>.0/24, nothing sent beyond its gateway.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import t, { type Test } from 'tap';
import { linkExists, linkMaster, linkNames } from '../../src/hostnet/links.ts';
import { natNetwork, post, VPCS_083, type DaemonProcess, withDaemon } from '../helpers/daemon.ts';
import { hostObjects, nftTableExists } from '../helpers/host.ts';
import { processAlive } from '../helpers/ports.ts';
import { TelnetClient } from '../helpers/telnet.ts';
import { ping } from '../helpers/vpcs-console.ts';
import { createProject, VPCS_TEMPLATE } from './helpers.ts';

if (process.getuid?.() !== 0) {
  t.plan(0, 'needs root (CI runs the suite as root): the NAT node creates a bridge, TAP devices, nftables rules and a DHCP server');
  process.exit(0);
}

t.setTimeout(240_000);

const NAT_TEMPLATE = 'df8f4ea9-33b7-3e96-86a2-c39bc9bb649c';
const SWITCH_TEMPLATE = '1966b864-93e7-32d5-965f-001384eec461';
const nat = natNetwork();
const escape = (text: string) => text.replaceAll('.', '\\.');

/**
 * `ip dhcp` on a VPCS console; returns the leased address. VPCS prints the DHCP messages it saw, "DDORA IP a.b.c.d/24
 * GW g" (a retried discover) or "DORA ..." (after the project reopened, its lease still known).
 */
async function dhcp(console: TelnetClient): Promise<string> {
  const pattern = new RegExp(`D?DORA IP (${escape('10.250.')}\\d+\\.\\d+)/24 GW ${escape(nat.gateway)}`);
  for (let attempt = 0; ; attempt++) {
    try {
      const line = await console.run('ip dhcp', pattern, 20_000);
      return pattern.exec(line)![1]!;
    } catch (err) {
      if (attempt === 2) throw err; // A first DHCP round can race the relay bridge coming up on a loaded machine.
    }
  }
}

async function leaseAndPing(t: Test, d: DaemonProcess, projectId: string, pcs: any[]): Promise<string[]> {
  const nodes = await d.json(`/v2/projects/${projectId}/nodes`);
  const consoles = await Promise.all(pcs.map((pc) => TelnetClient.connect(nodes.find((n: any) => n.node_id === pc.node_id).console)));
  try {
    const addresses: string[] = [];
    for (const console of consoles) addresses.push(await dhcp(console));
    for (const console of consoles) t.match(await ping(console, nat.gateway), new RegExp(`${escape(nat.gateway)} icmp_seq=3`), 'ping to the NAT gateway');
    return addresses;
  } finally {
    for (const console of consoles) console.close();
  }
}

t.test('NAT, switch and two VPCS from templates: DHCP, gateway ping, save/close/reopen, delete cleans up', async (t) => {
  const d = await withDaemon(t, { mode: 'controller', args: ['--vpcs-path', VPCS_083] });
  const projectId = await createProject(d, 'natlab');
  const fromTemplate = (id: string, x: number) => d.json(`/v2/projects/${projectId}/templates/${id}`, { ...post({ x, y: 0, compute_id: 'local' }), expect: 201 });
  const natNode = await fromTemplate(NAT_TEMPLATE, 0);
  const sw = await fromTemplate(SWITCH_TEMPLATE, 100);
  const pcs = [await fromTemplate(VPCS_TEMPLATE, 200), await fromTemplate(VPCS_TEMPLATE, 300)];
  t.match(natNode, { node_type: 'nat', name: 'NAT1', ports: [{ name: 'nat0', adapter_number: 0, port_number: 0 }] });
  t.equal(natNode.properties.ports_mapping[0].interface, nat.bridge, 'attached to patchbay\'s NAT bridge (no virbr0 here)');
  const linkPorts = async (a: string, aPort: number, b: string, bPort: number) =>
    d.json(`/v2/projects/${projectId}/links`, {
      ...post({ nodes: [{ node_id: a, adapter_number: 0, port_number: aPort }, { node_id: b, adapter_number: 0, port_number: bPort }] }),
      expect: 201,
    });
  await linkPorts(natNode.node_id, 0, sw.node_id, 0);
  await linkPorts(pcs[0].node_id, 0, sw.node_id, 1);
  await linkPorts(pcs[1].node_id, 0, sw.node_id, 2);
  const tapOf = () => linkNames().filter((name) => /^gns3tap\d+-0$/.test(name) && linkMaster(name) === nat.bridge);
  t.equal(tapOf().length, 1, 'the NAT port is a TAP device on the NAT bridge');

  await d.json(`/v2/projects/${projectId}/nodes/start`, { ...post(), expect: 204 });
  const first = await leaseAndPing(t, d, projectId, pcs);
  t.not(first[0], first[1], `two leases: ${first.join(', ')}`);

  await d.json(`/v2/projects/${projectId}/close`, { ...post(), expect: 204 });
  t.notOk(linkExists(nat.bridge), 'closing the project removes the NAT network');
  t.same(hostObjects(d), [], 'and the state file lists nothing');
  const saved = JSON.parse(readFileSync(join(d.projectsDir, projectId, 'natlab.gns3'), 'utf8'));
  t.equal(saved.topology.nodes.find((n: any) => n.node_id === natNode.node_id).node_type, 'nat', 'the .gns3 file keeps the NAT node');

  await d.json(`/v2/projects/${projectId}/open`, { ...post(), expect: 201 });
  t.ok(linkExists(nat.bridge), 'reopening makes the NAT network again');
  await d.json(`/v2/projects/${projectId}/nodes/start`, { ...post(), expect: 204 });
  const second = await leaseAndPing(t, d, projectId, pcs);
  t.equal(second.length, 2, `leases after reopening: ${second.join(', ')}`);

  const dnsmasq = hostObjects(d).find((o) => o.kind === 'process');
  await d.json(`/v2/projects/${projectId}/nodes/${natNode.node_id}`, { method: 'DELETE', expect: 204 });
  t.notOk(linkExists(nat.bridge), 'deleting the NAT node removes the bridge');
  t.same(tapOf(), [], 'and its TAP device');
  t.notOk(nftTableExists(`patchbay-${nat.bridge}`), 'and the nftables table');
  t.ok(dnsmasq?.kind === 'process' && !processAlive(dnsmasq.pid), 'and stops dnsmasq');
  t.same(hostObjects(d), [], 'nothing left in the state file');
});
