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

/** Per topic, per frame: the expressions that match it, and those that must not. */
const cases: Array<[topic: string, frame: Uint8Array, matching: string[], notMatching: string[]]> = [
  ['protocols', dns, ['ip', 'udp'], ['ip6', 'tcp', 'icmp', 'vlan']],
  ['protocols', ping, ['icmp'], []],
  ['protocols', arp, ['arp'], ['ip']],
  ['protocols', v6, ['ip6 and udp'], []],
  // A VLAN tag is looked through: "udp" still matches the tagged frame.
  ['protocols', tagged, ['vlan', 'vlan 20', 'udp'], ['vlan 21']],
  ['hosts and ports', dns, ['host 10.0.0.2', 'dst host 10.0.0.2', 'src 10.0.0.1', 'ip host 10.0.0.1', 'port 53', 'udp port 53', 'udp dst port 53'], ['src host 10.0.0.2', 'tcp port 53', 'src port 53']],
  // ARP frames match on their sender (src) and target (dst) protocol addresses.
  ['hosts and ports', arp, ['host 10.0.0.1', 'dst host 10.0.0.2'], []],
  ['hosts and ports', v6, ['host fe80::2', 'src host ::1', 'port 53'], []],
  ['hosts and ports', web, ['tcp src port 80'], []],
  ['ether addresses', dns, ['ether src 02:00:00:00:00:01', 'ether dst host 02:00:00:00:00:02', 'ether host 02:00:00:00:00:02'], ['ether src 02:00:00:00:00:02']],
  ['ether addresses', arp, ['ether dst ff:ff:ff:ff:ff:ff'], []],
  // pcap gives "and" and "or" equal precedence, left to right: "udp or tcp and port 54" is "(udp or tcp) and port 54".
  ['logic and precedence', dns, ['not tcp', '! tcp && udp', 'tcp or udp and port 53', 'udp or tcp and not port 54', 'icmp || (udp and not port 54)', 'not (tcp or icmp)'], ['udp or tcp and port 54', '(tcp or udp) and port 54', 'udp and not (port 53)']],
  ['short frames never match beyond their length', new Uint8Array(20), [], ['udp']],
  ['short frames never match beyond their length', new Uint8Array(4), [], ['ether src 00:00:00:00:00:00']],
];

for (const topic of new Set(cases.map(([name]) => name))) {
  t.test(topic, async (t) => {
    for (const [, frame, matching, notMatching] of cases.filter(([name]) => name === topic)) {
      for (const expression of matching) t.ok(matches(expression, frame), `${expression}: matches`);
      for (const expression of notMatching) t.notOk(matches(expression, frame), `${expression}: no match`);
    }
  });
}

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
