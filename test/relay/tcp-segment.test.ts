/** Splitting a TCP segment larger than the MTU (src/relay/io/native/tcp-segment.ts): pure, on hand-made frames. */
import t from 'tap';
import { splitTcp } from '../../src/relay/io/native/tcp-segment.ts';
import { ipv4HeaderValid, tcp6Frame, tcpFrame, transportChecksumValid, udpFrame } from './frames.ts';

const v6 = (last: number) => [0xfd, 0, 2, 0x15, ...Array(11).fill(0), last];
const payloadOf = (size: number) => Array.from({ length: size }, (_, i) => (i * 7919) & 0xff);
const [FIN, PSH, ACK, CWR] = [0x01, 0x08, 0x10, 0x80];

/** Where the IP header of `frame` starts, behind `tags` VLAN tags. */
const ipAt = (tags: number) => 14 + tags * 4;

t.test('a TCP segment over IPv4 splits into pieces that fit the MTU, with headers and checksums right', async (t) => {
  const sent = payloadOf(4000);
  const frame = tcpFrame('10.0.0.1', '10.0.0.2', 40000, 9, { payload: sent });
  const fields = new DataView(frame.buffer);
  fields.setUint32(14 + 20 + 4, 0xffff_fc00); // the sequence number wraps within the segment
  fields.setUint16(14 + 4, 0xfffe); // and so does the IPv4 ID
  frame[14 + 20 + 13] = CWR | PSH | ACK | FIN;
  const before = Uint8Array.from(frame);
  const pieces = splitTcp(frame, 1500)!;
  t.ok(pieces, 'split');
  t.same(pieces.map((p) => p.length), [1514, 1514, 14 + 40 + 1080], '1 460 B of payload each, the rest in the last');
  t.same([...frame], [...before], 'the frame given is left alone');
  const at = (p: Uint8Array) => new DataView(p.buffer, p.byteOffset, p.byteLength);
  t.same(pieces.map((p) => at(p).getUint16(14 + 2)), pieces.map((p) => p.length - 14), 'IPv4 total lengths');
  t.same(pieces.map((p) => at(p).getUint16(14 + 4)), [0xfffe, 0xffff, 0], 'IPv4 IDs one apart');
  t.ok(pieces.every(ipv4HeaderValid), 'IPv4 header checksums valid');
  t.ok(pieces.every(transportChecksumValid), 'TCP checksums valid');
  t.same(pieces.map((p) => at(p).getUint32(34 + 4)), [0xffff_fc00, (0xffff_fc00 + 1460) >>> 0, (0xffff_fc00 + 2920) >>> 0], 'sequence numbers');
  t.same(pieces.map((p) => p[34 + 13]), [CWR | ACK, ACK, PSH | ACK | FIN], 'CWR only first, PSH and FIN only last');
  t.same(pieces.flatMap((p) => [...p.subarray(54)]), sent, 'the payload, in order');
  t.ok(pieces.every((p) => Buffer.compare(p.subarray(0, 14), frame.subarray(0, 14)) === 0), 'the Ethernet header on each');
});

t.test('IPv6 behind two VLAN tags, TCP options, an odd MTU: every piece fits and is valid', async (t) => {
  const sent = payloadOf(9001);
  const made = tcp6Frame(v6(1), v6(2), 40000, 9, { payload: sent, tags: [[0x88a8, 100], [0x8100, 42]] });
  // 12 bytes of TCP options (data offset 8): copied to every piece.
  const ip = ipAt(2);
  const tcp = ip + 40;
  const frame = new Uint8Array(made.length + 12);
  frame.set(made.subarray(0, tcp + 20));
  frame.set([1, 1, 8, 10, 0, 0, 0, 7, 0, 0, 0, 9], tcp + 20);
  frame.set(made.subarray(tcp + 20), tcp + 32);
  frame[tcp + 12] = 0x80;
  new DataView(frame.buffer).setUint16(ip + 4, 32 + sent.length);
  const mtu = 1283;
  const pieces = splitTcp(frame, mtu)!;
  const room = mtu - 40 - 32;
  t.equal(pieces.length, Math.ceil(sent.length / room), 'as many pieces as the MTU needs');
  const fields = (p: Uint8Array) => new DataView(p.buffer, p.byteOffset, p.byteLength);
  t.ok(pieces.every((p) => p.length - ip <= mtu), 'each IP packet fits the MTU');
  t.same(pieces.map((p) => fields(p).getUint16(ip + 4)), pieces.map((p) => p.length - ip - 40), 'IPv6 payload lengths');
  t.ok(pieces.every(transportChecksumValid), 'TCP checksums valid');
  t.same(pieces.map((p) => fields(p).getUint32(tcp + 4)), pieces.map((_, i) => 1 + i * room), 'sequence numbers');
  t.ok(pieces.every((p) => Buffer.compare(p.subarray(tcp + 20, tcp + 32), frame.subarray(tcp + 20, tcp + 32)) === 0), 'the same options on every piece');
  t.same(pieces.flatMap((p) => [...p.subarray(tcp + 32)]), sent, 'the payload, in order');
});

t.test('what is not split: fits the MTU, not TCP, a fragment, not IP, headers alone over the MTU', async (t) => {
  const big = payloadOf(3000);
  const fragment = tcpFrame('10.0.0.1', '10.0.0.2', 40000, 9, { payload: big });
  fragment[14 + 6] = 0x20; // more fragments
  const arp = new Uint8Array(3000);
  arp.set([2, 0, 0, 0, 0, 2, 2, 0, 0, 0, 0, 1, 0x08, 0x06]);
  const cases: Array<[string, Uint8Array, number]> = [
    ['TCP exactly at the MTU', tcpFrame('10.0.0.1', '10.0.0.2', 40000, 9, { payload: payloadOf(1460) }), 1500],
    ['UDP over the MTU', udpFrame('10.0.0.1', '10.0.0.2', 5000, 9, { payload: big }), 1500],
    ['an IPv4 fragment', fragment, 1500],
    ['ARP padded past the MTU', arp, 1500],
    ['TCP whose headers fill the MTU', tcpFrame('10.0.0.1', '10.0.0.2', 40000, 9, { payload: big }), 40],
  ];
  for (const [what, frame, mtu] of cases) t.equal(splitTcp(frame, mtu), null, what);
});

t.test('Ethernet padding after the IP packet is not payload', async (t) => {
  const sent = payloadOf(2000);
  const made = tcpFrame('10.0.0.1', '10.0.0.2', 40000, 9, { payload: sent });
  const frame = new Uint8Array(made.length + 6).fill(0xee);
  frame.set(made);
  const pieces = splitTcp(frame, 1500)!;
  t.same(pieces.flatMap((p) => [...p.subarray(54)]), sent, 'exactly the payload the IP header bounds');
  t.ok(pieces.every(transportChecksumValid), 'TCP checksums valid');
});
