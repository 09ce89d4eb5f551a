/**
 * The pure parts of host networking: names, subnets, capabilities, routes, the nftables batch, dnsmasq's arguments, and
 * how a cloud port reaches the host.
 */
import t from 'tap';
import { interfaceNameProblem } from '../../src/hostnet/interface-name.ts';
import { parseIpv4Subnet, subnetsOverlap } from '../../src/hostnet/ipv4-subnet.ts';
import { missingCapabilities, parseEffectiveCapabilities } from '../../src/hostnet/capabilities.ts';
import { parseDefaultRouteInterfaces } from '../../src/hostnet/links.ts';
import { masqueradeRuleset } from '../../src/hostnet/masquerade.ts';
import { dhcpServerArgs } from '../../src/hostnet/dhcp-server.ts';
import { planHostPort } from '../../src/compute/builtin/host-port.ts';

t.test('interface names: what the kernel takes, in safe characters', async (t) => {
  for (const good of ['eth0', 'virbr0', 'gns3tap12-3', 'br_lan.100', 'a', '123456789012345']) t.equal(interfaceNameProblem(good), null, good);
  t.match(interfaceNameProblem(''), /empty/);
  t.match(interfaceNameProblem('1234567890123456'), /longer than 15 bytes/);
  t.match(interfaceNameProblem('ééééééééé'), /longer than 15 bytes/, 'bytes, not characters');
  for (const bad of ['eth 0', 'a/b', 'eth0:1', '../x', 'tap;rm', 'x\n', '$(id)']) t.ok(interfaceNameProblem(bad), JSON.stringify(bad));
  t.match(interfaceNameProblem('..'), /"\."/);
});

t.test('IPv4 subnets: gateway, DHCP pool, netmask; refuses host bits and silly prefixes', async (t) => {
  t.same(parseIpv4Subnet('192.168.122.0/24'), {
    cidr: '192.168.122.0/24', prefix: 24, network: '192.168.122.0', netmask: '255.255.255.0',
    gateway: '192.168.122.1', dhcpFirst: '192.168.122.2', dhcpLast: '192.168.122.254',
  });
  t.match(parseIpv4Subnet('10.7.0.0/16'), { netmask: '255.255.0.0', gateway: '10.7.0.1', dhcpLast: '10.7.255.254' });
  t.match(parseIpv4Subnet('10.0.0.8/29'), { gateway: '10.0.0.9', dhcpFirst: '10.0.0.10', dhcpLast: '10.0.0.14' });
  t.throws(() => parseIpv4Subnet('192.168.122.1/24'), /host bits/);
  t.throws(() => parseIpv4Subnet('10.0.0.0/8'), /between 16 and 29/);
  t.throws(() => parseIpv4Subnet('10.0.0.0/30'), /between 16 and 29/);
  t.throws(() => parseIpv4Subnet('300.1.1.0/24'), /above 255/);
  t.throws(() => parseIpv4Subnet('fe80::/64'), /not an IPv4 subnet/);
  const lan = parseIpv4Subnet('192.168.122.0/24');
  t.ok(subnetsOverlap(lan, { address: '192.168.122.77', prefixlen: 32 }));
  t.ok(subnetsOverlap(lan, { address: '192.168.0.1', prefixlen: 16 }), 'a wider subnet around it');
  t.notOk(subnetsOverlap(lan, { address: '192.168.123.1', prefixlen: 24 }));
});

t.test('capabilities: the effective set from /proc/<pid>/status', async (t) => {
  const status = 'Name:\tnode\nCapInh:\t0000000000000000\nCapPrm:\t0000000000003000\nCapEff:\t0000000000001000\n';
  const effective = parseEffectiveCapabilities(status)!;
  t.equal(effective, 0x1000n);
  t.same(missingCapabilities(['CAP_NET_ADMIN', 'CAP_NET_RAW', 'CAP_NET_BIND_SERVICE'], effective), ['CAP_NET_RAW', 'CAP_NET_BIND_SERVICE']);
  t.same(missingCapabilities(['CAP_NET_ADMIN'], 0x1fffffffffn), []);
  t.equal(parseEffectiveCapabilities('Name:\tx\n'), null);
});

t.test('default route interfaces from /proc/net/route', async (t) => {
  const table = [
    'Iface\tDestination\tGateway \tFlags\tRefCnt\tUse\tMetric\tMask\t\tMTU\tWindow\tIRTT',
    'eth0\t00000000\t010200C0\t0003\t0\t0\t0\t00000000\t0\t0\t0',
    'eth0\t000200C0\t00000000\t0001\t0\t0\t0\t00FFFFFF\t0\t0\t0',
    'wg0\t00000000\t00000000\t0001\t0\t0\t50\t00000000\t0\t0\t0',
    'eth0\t00000000\t010200C0\t0003\t0\t0\t100\t00000000\t0\t0\t0',
  ].join('\n');
  t.same(parseDefaultRouteInterfaces(table), ['eth0', 'wg0']);
  t.same(parseDefaultRouteInterfaces(table.split('\n')[0]!), []);
});

t.test('nftables batch: replaces patchbay\'s own table, masquerades the subnet leaving through other interfaces', async (t) => {
  const batch = masqueradeRuleset('patchbay-br9', 'br9', parseIpv4Subnet('10.9.0.0/24')) as { nftables: Array<Record<string, any>> };
  t.same(batch.nftables.slice(0, 3).map((cmd) => Object.keys(cmd)[0]), ['add', 'delete', 'add'], 'add+delete+add replaces a leftover table');
  t.ok(batch.nftables.every((cmd) => Object.values(cmd)[0][Object.keys(Object.values(cmd)[0])[0]!].family === 'ip'));
  const rule = batch.nftables.at(-1)!.add.rule;
  t.equal(rule.table, 'patchbay-br9');
  t.same(rule.expr[0].match.right, { prefix: { addr: '10.9.0.0', len: 24 } });
  t.same(rule.expr[1].match, { op: '!=', left: { meta: { key: 'oifname' } }, right: 'br9' });
  t.same(rule.expr[2], { masquerade: null });
});

t.test('dnsmasq arguments: the bridge only, no host config file, the subnet\'s pool', async (t) => {
  const args = dhcpServerArgs({ binary: 'dnsmasq', bridge: 'br9', subnet: parseIpv4Subnet('10.9.0.0/24'), workDir: '/state/nat-br9' });
  t.ok(args.includes('--conf-file=/dev/null'));
  t.ok(args.includes('--bind-interfaces') && args.includes('--interface=br9') && args.includes('--except-interface=lo'));
  t.ok(args.includes('--listen-address=10.9.0.1'));
  t.ok(args.includes('--dhcp-range=10.9.0.2,10.9.0.254,255.255.255.0,12h'));
  t.ok(args.includes('--dhcp-leasefile=/state/nat-br9/dnsmasq.leases'));
  t.ok(args.includes('--keep-in-foreground'), 'supervised like an emulator, not daemonised');
});

t.test('host port plans: raw on an interface, a TAP on a bridge, a tap mapping on a TAP or nothing', async (t) => {
  const eth = { type: 'ethernet' as const, interface: 'eth1' };
  t.same(planHostPort(eth, 'other', 'C'), { endpoint: 'raw', device: 'eth1' });
  t.same(planHostPort(eth, 'tap', 'C'), { endpoint: 'raw', device: 'eth1' }, 'an ethernet mapping on a TAP reads it raw, as uBridge');
  t.same(planHostPort({ type: 'ethernet', interface: 'virbr0' }, 'bridge', 'C'), { endpoint: 'tap', device: null, bridge: 'virbr0' });
  t.same(planHostPort(eth, null, 'Cloud2'), { error: "Interface 'eth1' could not be found on this system, please update 'Cloud2'" });
  const tap = { type: 'tap' as const, interface: 'tap7' };
  t.same(planHostPort(tap, 'tap', 'C'), { endpoint: 'tap', device: 'tap7', bridge: null });
  t.same(planHostPort(tap, null, 'C'), { endpoint: 'tap', device: 'tap7', bridge: null }, 'made when missing');
  t.match(planHostPort(tap, 'other', 'C'), { error: /exists and is not a TAP device/ });
  t.match(planHostPort(tap, 'bridge', 'C'), { error: /not a TAP device/ });
});
