/**
 * What the kernel keeps beside a received frame instead of in it, put back by a raw side before it forwards the frame
 * (src/relay/io/native/packet-ring.ts): the outer 802.1Q / 802.1ad tag, which the receive path moves into the packet's
 * metadata (the core does it for every tagged frame, as NICs with rx-vlan offload and veth do), and the TCP/UDP
 * checksum a local sender left to the hardware (CHECKSUM_PARTIAL). Real devices the test creates: a namespace and a
 * veth pair. Frames go from the namespace through a raw side on the host end to a UDP peer,
 * and from a UDP peer through a raw side on one end of a veth pair to the raw side on the other. Needs root (CI runs as
 * root) and the native relay I/O.
 *
 * This kernel has no VLAN subinterfaces (8021q is not built), so the namespace sends its tagged frames through an
 * AF_PACKET socket: on the host end they arrive exactly as a subinterface's would, untagged with the tag in metadata.
 */
import t from 'tap';
import { transportChecksumValid } from './frames.ts';
import { RELAY_IO } from './helpers.ts';
import { crossVethPair, inNamespace, ip, rawBridgeToPeer } from './kernel-devices.ts';

if (process.getuid?.() !== 0) t.plan(0, 'raw endpoints need root (CI runs as root)');
else if (RELAY_IO === 'dgram') t.plan(0, 'raw endpoints need the native relay I/O');

/** Kernel objects of this file: a prefix of their own, within 15 bytes with the suffixes below. */
const name = `pbvo${process.pid % 100000}`;

/** A frame of `size` bytes between two locally administered MACs, with `tags` (TPID, TCI pairs, outermost first). */
function frame(size: number, tags: Array<[number, number]>, fill: number): Buffer {
  const bytes = Buffer.alloc(size, fill);
  Buffer.from('020000000001020000000002', 'hex').copy(bytes);
  let at = 12;
  for (const [tpid, tci] of tags) at = bytes.writeUInt16BE(tci, bytes.writeUInt16BE(tpid, at));
  bytes.writeUInt16BE(0x88b5, at); // The local experimental EtherType: nothing answers it.
  return bytes;
}

/** Sends `frames` from inside `ns` on `device`, written to an AF_PACKET socket as they are. */
function sendRawFromNamespace(ns: string, device: string, frames: Buffer[]): void {
  const script = 'import socket, sys\ns = socket.socket(socket.AF_PACKET, socket.SOCK_RAW)\ns.bind((sys.argv[1], 0))\n' +
    'for frame in sys.argv[2:]: s.send(bytes.fromhex(frame))\n';
  inNamespace(ns, 'python3', '-c', script, device, ...frames.map((f) => f.toString('hex')));
}

/** A frame's header up to its EtherType behind two tags, and its length: what a failure should show. */
const outline = (bytes: Uint8Array) => `${Buffer.from(bytes.subarray(0, 22)).toString('hex')}… ${bytes.length} B`;
const same = (a: Uint8Array[], b: Uint8Array[]) => a.length === b.length && a.every((f, i) => Buffer.compare(f, b[i]!) === 0);

t.test('frames tagged in a namespace reach the UDP peer with their tags as sent', async (t) => {
  const { veth, pool, peer, spec } = await rawBridgeToPeer(t, name, 1, '10.215.0.2');
  // The ring's slots are sized for the MTU at open (1 500 B: 2 KiB slots); the MTU raised afterwards lets a tagged
  // frame larger than a slot through, which arrives by the full copy beside the ring.
  await pool.createBridge('tagged', spec);
  ip('link', 'set', veth.outer, 'mtu', '9000');
  inNamespace(veth.ns, 'ip', 'link', 'set', veth.inner, 'mtu', '9000');
  const sent = [
    frame(100, [], 1),
    frame(100, [[0x8100, (5 << 13) | 42]], 2), // 802.1Q, priority 5, VID 42
    frame(60, [[0x8100, (1 << 12) | 7]], 3), // the shortest frame; drop eligible, VID 7
    frame(100, [[0x88a8, 100], [0x8100, 42]], 4), // QinQ: S-tag 100, C-tag 42
    frame(1518, [[0x8100, 42]], 5), // a full-size tagged frame: still in its slot
    frame(5000, [[0x8100, 4094]], 6), // larger than a slot
  ];
  sendRawFromNamespace(veth.ns, veth.inner, sent);
  const received = await peer.waitFor(sent.length, 15_000);
  t.same(received.map(outline), sent.map(outline), 'every frame arrived with its tags, in order');
  t.ok(same(received, sent), 'byte for byte as sent');
  t.same((await pool.stats('tagged')).drops, {}, 'nothing dropped');
});

t.test('tagged frames from a UDP peer cross a veth pair between two raw sides and keep their tags', async (t) => {
  // The raw side sends a frame's bytes as they are, tag included; the receiving side gets the tag back from metadata.
  const sent = [frame(200, [[0x8100, (7 << 13) | 1]], 7), frame(200, [[0x88a8, 300], [0x8100, 4001]], 8), frame(200, [], 9)];
  const { received, stats } = await crossVethPair(name, sent);
  t.same(received.map(outline), sent.map(outline), 'every frame arrived with its tags, in order');
  t.ok(same(received, sent), 'byte for byte as sent');
  t.same(stats.drops, {}, 'nothing dropped');
});

t.test('TCP and UDP from a namespace, checksums left to the hardware, reach the UDP peer with valid checksums', async (t) => {
  const { veth, pool, peer, spec } = await rawBridgeToPeer(t, name, 1, '10.215.5.2');
  // IPv6 beside IPv4, its gateway pinned like the IPv4 one (no neighbour discovery).
  inNamespace(veth.ns, 'sysctl', '-q', '-w', `net.ipv6.conf.${veth.inner}.disable_ipv6=0`);
  inNamespace(veth.ns, 'ip', 'addr', 'add', 'fd00:215::2/64', 'dev', veth.inner, 'nodad');
  inNamespace(veth.ns, 'ip', 'neigh', 'replace', 'fd00:215::1', 'lladdr', '02:00:00:00:00:01', 'dev', veth.inner);
  await pool.createBridge('checksums', spec);
  // Sockets leave the checksum to veth's offload: the frames carry only the pseudo-header's sum (TP_STATUS_CSUMNOTREADY).
  const script = `const dgram = require('node:dgram'); const payload = Buffer.alloc(301, 0x5a);
    for (const [type, host] of [['udp4', '10.215.5.1'], ['udp6', 'fd00:215::1']]) { const s = dgram.createSocket(type); s.send(payload, 9, host, () => s.close()); }
    require('node:net').connect(9, '10.215.5.1').on('error', () => {});
    setTimeout(() => process.exit(0), 300);`;
  inNamespace(veth.ns, process.execPath, '-e', script);
  /** The frame of `protocol` over IPv4 or IPv6 to port 9. */
  const find = (frames: Buffer[], v6: boolean, protocol: number) => frames.find((f) =>
    f.readUInt16BE(12) === (v6 ? 0x86dd : 0x0800) && f[v6 ? 20 : 23] === protocol && f.readUInt16BE(v6 ? 56 : 36) === 9);
  let frames: Buffer[] = [];
  for (let i = 0; i < 60 && !(find(frames, false, 17) && find(frames, true, 17) && find(frames, false, 6)); i++) {
    frames = await peer.waitFor(frames.length + 1, 250);
  }
  for (const [what, v6, protocol] of [['UDP over IPv4', false, 17], ['UDP over IPv6', true, 17], ['TCP SYN over IPv4', false, 6]] as const) {
    const frame = find(frames, v6, protocol);
    t.ok(frame, `${what} reached the peer`);
    t.ok(frame && transportChecksumValid(frame), `${what}: its checksum is valid`);
  }
});
