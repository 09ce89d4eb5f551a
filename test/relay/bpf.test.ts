import t from 'tap';
import { compileBpf } from '../../src/relay/filters/bpf-matcher.ts';
import { parseBpf, parseIp } from '../../src/relay/filters/bpf-parser.ts';
import { arpRequest, icmpEcho, tcpFrame, udp6Frame, udpFrame } from './frames.ts';

const matches = (expression: string, frame: Uint8Array) => compileBpf(parseBpf(expression))(frame);

const dns = udpFrame('10.0.0.1', '10.0.0.2', 40000, 53);
const web = tcpFrame('10.0.0.2', '10.0.0.9', 80, 50000);
const ping = icmpEcho('10.0.0.1', '10.0.0.2');
const arp = arpRequest('10.0.0.1', '10.0.0.2');
const tagged = udpFrame('10.0.0.1', '10.0.0.2', 1, 2, { tags: [[0x8100, 20]] });
const v6 = udp6Frame(Array(15).fill(0).concat(1), [0xfe, 0x80, ...Array(13).fill(0), 2], 5000, 53);

t.test('protocols', async (t) => {
  t.ok(matches('ip', dns));
  t.notOk(matches('ip6', dns));
  t.ok(matches('udp', dns));
  t.notOk(matches('tcp', dns));
  t.ok(matches('icmp', ping));
  t.notOk(matches('icmp', dns));
  t.ok(matches('arp', arp));
  t.notOk(matches('ip', arp));
  t.ok(matches('ip6 and udp', v6));
  t.ok(matches('vlan', tagged) && matches('vlan 20', tagged) && !matches('vlan 21', tagged));
  t.notOk(matches('vlan', dns));
  t.ok(matches('udp', tagged), 'looks through the VLAN tag');
});

t.test('hosts and ports', async (t) => {
  t.ok(matches('host 10.0.0.2', dns));
  t.ok(matches('dst host 10.0.0.2', dns));
  t.notOk(matches('src host 10.0.0.2', dns));
  t.ok(matches('src 10.0.0.1', dns));
  t.ok(matches('ip host 10.0.0.1', dns));
  t.ok(matches('host 10.0.0.1', arp), 'ARP sender address');
  t.ok(matches('dst host 10.0.0.2', arp), 'ARP target address');
  t.ok(matches('host fe80::2', v6));
  t.ok(matches('src host ::1', v6));
  t.ok(matches('port 53', dns) && matches('udp port 53', dns) && matches('udp dst port 53', dns));
  t.notOk(matches('tcp port 53', dns));
  t.notOk(matches('src port 53', dns));
  t.ok(matches('tcp src port 80', web));
  t.ok(matches('port 53', v6));
});

t.test('ether addresses', async (t) => {
  t.ok(matches('ether src 02:00:00:00:00:01', dns));
  t.ok(matches('ether dst host 02:00:00:00:00:02', dns));
  t.ok(matches('ether host 02:00:00:00:00:02', dns));
  t.notOk(matches('ether src 02:00:00:00:00:02', dns));
  t.ok(matches('ether dst ff:ff:ff:ff:ff:ff', arp));
});

t.test('logic and precedence', async (t) => {
  t.ok(matches('not tcp', dns));
  t.ok(matches('! tcp && udp', dns));
  t.ok(matches('tcp or udp and port 53', dns));
  t.notOk(matches('udp or tcp and port 54', dns), 'pcap: equal precedence, left to right');
  t.ok(matches('udp or tcp and not port 54', dns));
  t.notOk(matches('(tcp or udp) and port 54', dns));
  t.ok(matches('icmp || (udp and not port 54)', dns));
  t.ok(matches('not (tcp or icmp)', dns));
  t.notOk(matches('udp and not (port 53)', dns));
});

t.test('short frames never match beyond their length', async (t) => {
  t.notOk(matches('udp', new Uint8Array(20)));
  t.notOk(matches('ether src 00:00:00:00:00:00', new Uint8Array(4)));
});

t.test('errors name the bad token', async (t) => {
  const bad: Array<[string, RegExp]> = [
    ['portrange 1-5', /"portrange"/],
    ['tcp port http', /"http"/],
    ['host example.com', /"example.com"/],
    ['net 10.0.0.0/8', /"net"/],
    ['udp and', /ends early/],
    ['(udp', /ends early: expected "\)"/],
    ['udp)', /"\)"/],
    ['udp udp', /token "udp"/],
    ['port 70000', /"70000"/],
    ['vlan 5000', /"5000"/],
    ['ether src 1:2:3', /"1:2:3"/],
    ['ether proto 5', /"proto"/],
    ['', /empty/],
  ];
  for (const [expression, message] of bad) t.throws(() => parseBpf(expression), { message }, expression);
});

t.test('IP literals', async (t) => {
  t.same([...parseIp('::')!], Array(16).fill(0));
  t.same([...parseIp('2001:db8::1')!].slice(0, 4), [0x20, 0x01, 0x0d, 0xb8]);
  t.equal(parseIp('1:2:3:4:5:6:7:8:9'), null);
  t.equal(parseIp('1::2::3'), null);
  t.equal(parseIp('256.1.1.1'), null);
});
