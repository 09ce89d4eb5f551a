/** Completing a frame's TCP/UDP checksum (src/relay/io/native/l4-checksum.ts): pure, on hand-made frames. */
import t from 'tap';
import { completeChecksum } from '../../src/relay/io/native/l4-checksum.ts';
import { icmpEcho, tcpFrame, transportChecksumValid, udp6Frame, udpFrame } from './frames.ts';

const v6 = (last: number) => [0xfd, 0, 2, 0x15, ...Array(11).fill(0), last];
const checksumOf = (frame: Uint8Array, at: number) => (frame[at]! << 8) | frame[at + 1]!;

t.test('TCP and UDP over IPv4 and IPv6, behind no, one or two VLAN tags', async (t) => {
  const frames = {
    'UDP/IPv4': udpFrame('10.0.0.1', '10.0.0.2', 5000, 9),
    'TCP/IPv4': tcpFrame('10.0.0.1', '10.0.0.2', 5000, 9),
    'UDP/IPv6': udp6Frame(v6(1), v6(2), 5000, 9),
    'UDP/IPv4, 802.1Q': udpFrame('10.0.0.1', '10.0.0.2', 5000, 9, { tags: [[0x8100, 42]] }),
    'TCP/IPv4, QinQ': tcpFrame('10.0.0.1', '10.0.0.2', 5000, 9, { tags: [[0x88a8, 100], [0x8100, 42]] }),
  };
  for (const [what, frame] of Object.entries(frames)) {
    t.notOk(transportChecksumValid(frame), `${what}: made with a zero checksum`);
    t.ok(completeChecksum(frame), `${what}: completed`);
    t.ok(transportChecksumValid(frame), `${what}: valid`);
  }
});

t.test('long segments at every alignment in memory (summed 4 bytes at a time where they can be), odd lengths too', async (t) => {
  for (const size of [1400, 1401]) {
    const payload = Array.from({ length: size }, (_, i) => (i * 7919) & 0xff);
    for (const tags of [[], [[0x8100, 42]]] as Array<Array<[number, number]>>) {
      for (let offset = 0; offset < 4; offset++) {
        const made = udpFrame('10.0.0.1', '10.0.0.2', 5000, 9, { payload, tags });
        const frame = new Uint8Array(made.length + offset).subarray(offset);
        frame.set(made);
        t.ok(completeChecksum(frame) && transportChecksumValid(frame), `${size} B, ${tags.length} tag(s), at byte offset ${offset}`);
      }
    }
  }
});

t.test('what the sender put in the field (the partial sum) does not matter, nor Ethernet padding after the datagram', async (t) => {
  const clean = udpFrame('10.0.0.1', '10.0.0.2', 5000, 9);
  completeChecksum(clean);
  const partial = udpFrame('10.0.0.1', '10.0.0.2', 5000, 9);
  partial.set([0x12, 0x34], 40);
  partial.fill(0xff, 46); // padding up to 60 bytes, beyond the IPv4 total length
  t.ok(completeChecksum(partial));
  t.equal(checksumOf(partial, 40), checksumOf(clean, 40));
});

t.test('IPv6 hop-by-hop and destination options are stepped over; the pseudo-header is the same', async (t) => {
  const plain = udp6Frame(v6(1), v6(2), 5000, 9);
  completeChecksum(plain);
  // Next header 0 (hop-by-hop, 8 bytes: next 60, PadN), then 60 (destination options, 8 bytes: next UDP, PadN).
  const options = [60, 0, 1, 4, 0, 0, 0, 0, 17, 0, 1, 4, 0, 0, 0, 0];
  const frame = Uint8Array.from([...plain.subarray(0, 54), ...options, ...plain.subarray(54)]);
  frame[19]! += options.length; // payload length
  frame[20] = 0; // next header: hop-by-hop
  const udp = 54 + options.length;
  frame.fill(0, udp + 6, udp + 8);
  t.ok(completeChecksum(frame));
  t.equal(checksumOf(frame, udp + 6), checksumOf(plain, 54 + 6));
});

t.test('a UDP checksum that comes to zero is sent as 0xffff (zero means none)', async (t) => {
  const frame = udpFrame('10.0.0.1', '10.0.0.2', 5000, 9);
  frame.fill(0, 42, 46); // the payload
  completeChecksum(frame);
  // The checksum itself as a payload word makes the sum 0xffff, so the checksum 0.
  frame.set(frame.subarray(40, 42), 42);
  t.ok(completeChecksum(frame));
  t.equal(checksumOf(frame, 40), 0xffff);
  t.ok(transportChecksumValid(frame));
});

t.test('left alone: other protocols, fragments, a datagram longer than the frame, not IP', async (t) => {
  const cases = {
    ICMP: icmpEcho('10.0.0.1', '10.0.0.2'),
    'first fragment': (() => {
      const f = udpFrame('10.0.0.1', '10.0.0.2', 5000, 9);
      f[20] = 0x20; // more fragments
      return f;
    })(),
    truncated: udpFrame('10.0.0.1', '10.0.0.2', 5000, 9).subarray(0, 44),
    ARP: Uint8Array.from([...Array(12).fill(2), 0x08, 0x06, ...Array(46).fill(0)]),
    'too short': Uint8Array.from([1, 2, 3]),
  };
  for (const [what, frame] of Object.entries(cases)) {
    const before = Buffer.from(frame);
    t.notOk(completeChecksum(frame), what);
    t.same(Buffer.from(frame), before, `${what}: unchanged`);
  }
});
