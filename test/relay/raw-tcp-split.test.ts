/**
 * TCP frames larger than the MTU reaching a raw side are split into MTU-sized segments before the emulator gets them
 * (src/relay/io/native/tcp-segment.ts, called from native-io.ts). Real devices the test creates: a namespace and a veth
 * pair; the namespace's TCP stack hands veth one TSO segment of several MSS, which the host end's packet socket (the
 * raw side) sees whole, exactly as it sees a stream a host NIC's GRO merged. Needs root and the native relay I/O.
 *
 * Why not GRO itself: veth's NAPI GRO (ethtool -K <end> gro on) does merge, but a frame sent into a veth from a
 * process is received in the softirq that runs as the send returns, one frame per poll, so consecutive crafted
 * segments never meet in one GRO batch here (checked by hand: 20 back-to-back segments arrived as 20 frames). The TCP
 * socket needs no peer: TCP_REPAIR puts it in the established state without a handshake and with a send window.
 */
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import t from 'tap';
import { ipv4HeaderValid, transportChecksumValid } from './frames.ts';
import { RELAY_IO } from './helpers.ts';
import { inNamespace, rawBridgeToPeer } from './kernel-devices.ts';

if (process.getuid?.() !== 0) t.plan(0, 'raw endpoints need root (CI runs as root)');
else if (RELAY_IO === 'dgram') t.plan(0, 'raw endpoints need the native relay I/O');

/** Kernel objects of this file: a prefix of their own, within 15 bytes with the suffixes vethIntoNamespace adds. */
const name = `pbgro${process.pid % 100000}`;
const MTU = 1500;
const FIRST_SEQUENCE = 1000;
/** What the namespace writes: byte i is i mod 251, so a piece at the wrong offset does not match. */
const SENT = Buffer.from(Array.from({ length: 100_000 }, (_, i) => i % 251));

/**
 * In the namespace: an established TCP socket to 10.216.0.1:9 made with TCP_REPAIR (a 200 000 B send window), which
 * writes SENT and is reset (SO_LINGER 0) once the kernel has sent what its congestion window allows. Its MSS stays at
 * TCP's default 536 (the MSS option set in repair mode does not change the one connect() chose), so with the initial
 * congestion window of 100 the route gives, its TSO frames hold tens of segments (tens of KiB, beyond a ring slot).
 */
const SENDER = `import socket, struct, sys, time
REPAIR, QUEUE, QUEUE_SEQ, OPTIONS, WINDOW = 19, 20, 21, 22, 29
s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
s.setsockopt(socket.IPPROTO_TCP, REPAIR, 1)
s.setsockopt(socket.IPPROTO_TCP, QUEUE, 2)
s.setsockopt(socket.IPPROTO_TCP, QUEUE_SEQ, ${FIRST_SEQUENCE})
s.setsockopt(socket.IPPROTO_TCP, QUEUE, 1)
s.setsockopt(socket.IPPROTO_TCP, QUEUE_SEQ, 1)
s.bind(('10.216.0.2', 40000))
s.connect(('10.216.0.1', 9))
s.setsockopt(socket.IPPROTO_TCP, OPTIONS, struct.pack('IIII', 2, 1460, 3, 7 | (7 << 16)))
s.setsockopt(socket.IPPROTO_TCP, WINDOW, struct.pack('IIIII', 1, 200000, 200000, 60000, 1))
s.setsockopt(socket.IPPROTO_TCP, REPAIR, -1)
s.send(bytes(i % 251 for i in range(${SENT.length})))
time.sleep(0.3)
s.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack('ii', 1, 0))
s.close()
`;

/**
 * On the host end, beside the raw side: the largest TCP frame the kernel hands a packet socket, the TCP payload bytes
 * it sees and the sequence number after the last of them, until a second passes without a frame after the first.
 */
const CAPTURE = `import json, select, socket, struct, sys
s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW, socket.htons(3))
s.bind((sys.argv[1], 0))
print('ready', flush=True)
largest, payload, end, wait = 0, 0, 0, 30
while select.select([s], [], [], wait)[0]:
    f = s.recv(70000)
    if f[12:14] != b'\\x08\\x00' or f[23] != 6: continue
    ihl = (f[14] & 15) * 4
    largest, wait = max(largest, len(f)), 1
    length = struct.unpack('!H', f[16:18])[0] - ihl - (f[14 + ihl + 12] >> 4) * 4
    payload, end = payload + length, max(end, struct.unpack('!I', f[14 + ihl + 4:14 + ihl + 8])[0] + length)
print(json.dumps({'largest': largest, 'payload': payload, 'end': end}), flush=True)
`;

/** The TCP payload of an untagged IPv4 frame, and its sequence number. */
function tcpPayload(frame: Buffer): { sequence: number; payload: Buffer } {
  const tcp = 14 + (frame[14]! & 0x0f) * 4;
  const end = 14 + frame.readUInt16BE(16);
  return { sequence: frame.readUInt32BE(tcp + 4), payload: frame.subarray(tcp + (frame[tcp + 12]! >>> 4) * 4, end) };
}

t.test('a TSO segment from a namespace reaches the UDP peer as MTU-sized TCP segments, valid and in sequence', async (t) => {
  const { veth, pool, peer, spec } = await rawBridgeToPeer(t, name, 1, '10.216.0.2');
  await pool.createBridge('split', spec);
  inNamespace(veth.ns, 'ip', 'route', 'change', '10.216.0.0/24', 'dev', veth.inner, 'proto', 'kernel', 'scope', 'link', 'src', '10.216.0.2', 'initcwnd', '100');
  const capture = spawn('python3', ['-c', CAPTURE, veth.outer], { stdio: ['ignore', 'pipe', 'inherit'] });
  t.teardown(() => capture.kill());
  let output = '';
  capture.stdout.setEncoding('utf8').on('data', (chunk: string) => (output += chunk));
  while (!output.includes('ready')) await once(capture.stdout, 'data');
  inNamespace(veth.ns, 'python3', '-c', SENDER);
  await once(capture, 'exit');
  const seen = JSON.parse(output.slice(output.indexOf('{'))) as { largest: number; payload: number; end: number };
  t.ok(seen.largest > 14 + MTU, `the kernel handed the raw side a TCP frame larger than the MTU (${seen.largest} B)`);
  t.ok(seen.payload > 0, `the namespace sent ${seen.payload} B`);

  const tcp = (frames: Buffer[]) => frames.filter((f) => f.readUInt16BE(12) === 0x0800 && f[23] === 6 && tcpPayload(f).payload.length > 0);
  const bytes = (frames: Buffer[]) => tcp(frames).reduce((total, f) => total + tcpPayload(f).payload.length, 0);
  for (let i = 0; i < 40 && bytes(peer.received) < seen.payload; i++) await peer.waitFor(peer.received.length + 1, 250);
  const frames = tcp(peer.received);
  t.equal(bytes(frames), seen.payload, 'as many payload bytes reached the peer as the namespace sent');
  t.same(frames.filter((f) => f.length > 14 + MTU).map((f) => f.length), [], 'no frame larger than the MTU');
  t.ok(frames.every((f) => transportChecksumValid(f) && ipv4HeaderValid(f)), 'every TCP and IPv4 checksum valid');
  // A retransmission (the sender held up past its first timeout on a loaded machine) may cover bytes twice.
  const pieces = frames.map(tcpPayload).sort((a, b) => a.sequence - b.sequence);
  let next = FIRST_SEQUENCE;
  let asWritten = true;
  for (const { sequence, payload } of pieces) {
    if (sequence > next) break;
    asWritten &&= payload.equals(SENT.subarray(sequence - FIRST_SEQUENCE, sequence - FIRST_SEQUENCE + payload.length));
    next = Math.max(next, sequence + payload.length);
  }
  t.equal(next, seen.end, 'sequence numbers follow on without a gap up to the last byte sent');
  t.ok(asWritten, 'each piece holds the bytes written at its sequence number');
  t.same((await pool.stats('split')).drops, {}, 'nothing dropped');
});
