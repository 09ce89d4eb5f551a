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

/** Expression, frame, whether it matches, and why when the expression alone does not say. */
type Case = [expression: string, frame: Uint8Array, matches: boolean, why?: string];

const cases: Record<string, Case[]> = {
  protocols: [
    ['ip', dns, true],
    ['ip6', dns, false],
    ['udp', dns, true],
    ['tcp', dns, false],
    ['icmp', ping, true],
    ['icmp', dns, false],
    ['arp', arp, true],
    ['ip', arp, false],
    ['ip6 and udp', v6, true],
    ['vlan', tagged, true],
    ['vlan 20', tagged, true],
    ['vlan 21', tagged, false],
    ['vlan', dns, false],
    ['udp', tagged, true, 'looks through the VLAN tag'],
  ],
  'hosts and ports': [
    ['host 10.0.0.2', dns, true],
    ['dst host 10.0.0.2', dns, true],
    ['src host 10.0.0.2', dns, false],
    ['src 10.0.0.1', dns, true],
    ['ip host 10.0.0.1', dns, true],
    ['host 10.0.0.1', arp, true, 'ARP sender address'],
    ['dst host 10.0.0.2', arp, true, 'ARP target address'],
    ['host fe80::2', v6, true],
    ['src host ::1', v6, true],
    ['port 53', dns, true],
    ['udp port 53', dns, true],
    ['udp dst port 53', dns, true],
    ['tcp port 53', dns, false],
    ['src port 53', dns, false],
    ['tcp src port 80', web, true],
    ['port 53', v6, true],
  ],
  'ether addresses': [
    ['ether src 02:00:00:00:00:01', dns, true],
    ['ether dst host 02:00:00:00:00:02', dns, true],
    ['ether host 02:00:00:00:00:02', dns, true],
    ['ether src 02:00:00:00:00:02', dns, false],
    ['ether dst ff:ff:ff:ff:ff:ff', arp, true],
  ],
  'logic and precedence': [
    ['not tcp', dns, true],
    ['! tcp && udp', dns, true],
    ['tcp or udp and port 53', dns, true],
    ['udp or tcp and port 54', dns, false, 'pcap: equal precedence, left to right'],
    ['udp or tcp and not port 54', dns, true],
    ['(tcp or udp) and port 54', dns, false],
    ['icmp || (udp and not port 54)', dns, true],
    ['not (tcp or icmp)', dns, true],
    ['udp and not (port 53)', dns, false],
  ],
  'short frames never match beyond their length': [
    ['udp', new Uint8Array(20), false],
    ['ether src 00:00:00:00:00:00', new Uint8Array(4), false],
  ],
};

for (const [name, list] of Object.entries(cases)) {
  t.test(name, async (t) => {
    for (const [expression, frame, expected, why] of list) {
      t.equal(matches(expression, frame), expected, `${expression}: ${expected ? 'matches' : 'no match'}${why ? ` (${why})` : ''}`);
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
