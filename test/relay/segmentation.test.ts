/**
 * The native backend sends runs of equal-size frames to one peer as one segmented message (UDP_SEGMENT). Whatever
 * the grouping, every peer must receive exactly the datagrams it was sent: same boundaries, same bytes, same order.
 * Frames sent from one task go out together when the task ends, so one synchronous burst exercises the grouping
 * deterministically: runs broken by a shorter frame, by a longer one, by the other peer, by a full outbox.
 */
import t from 'tap';
import type { Peer } from '../../src/relay/peer.ts';
import { openRelayIo } from '../../src/relay/io/select.ts';
import type { RelayIo } from '../../src/relay/io/types.ts';
import { Endpoint, freePort } from './helpers.ts';

let io: RelayIo;
try {
  io = (await openRelayIo('native')).io;
} catch (error) {
  t.plan(0, `native relay I/O unavailable: ${(error as Error).message}`);
}

/** A datagram of `size` bytes whose content says which frame it is. */
function frameOf(index: number, size: number): Uint8Array {
  const frame = new Uint8Array(size);
  for (let i = 0; i < size; i++) frame[i] = (index * 31 + i) & 0xff;
  return frame;
}

const hex = (frames: Uint8Array[]) => frames.map((frame) => Buffer.from(frame).toString('hex'));

t.test('bursts of mixed sizes to two peers arrive datagram for datagram', async (t) => {
  t.teardown(() => io.close());
  const peers = [await Endpoint.open(), await Endpoint.open()];
  t.teardown(() => Promise.all(peers.map((peer) => peer.close())));
  const drops: string[] = [];
  const socket = await io.openUdp(await freePort(), '127.0.0.1', {
    frame: () => {},
    drop: (reason) => drops.push(reason),
    error: (error) => t.fail(error.message),
  });
  t.teardown(() => socket.close());
  const targets: Peer[] = peers.map((peer) => ({ address: '127.0.0.1', port: peer.port, family: 4 }));

  // [peer, size] in sending order.
  const plan: Array<[number, number]> = [
    ...[100, 100, 100, 60, 100, 100, 200, 200, 1, 1, 1].map((size): [number, number] => [0, size]),
    ...[64, 64, 64].map((size, i): [number, number] => [i % 2, size]),
    // More equal frames than one outbox holds, then runs that reach the largest datagram.
    ...Array.from({ length: 40 }, (): [number, number] => [1, 1400]),
    ...[30_000, 30_000, 30_000, 65_507, 8, 16].map((size): [number, number] => [0, size]),
  ];
  const expected: Uint8Array[][] = [[], []];
  plan.forEach(([peer, size], index) => {
    const frame = frameOf(index, size);
    expected[peer]!.push(frame);
    socket.send(frame, targets[peer]!);
  });

  for (const [i, peer] of peers.entries()) {
    await peer.waitFor(expected[i]!.length, 5000);
    t.same(hex(peer.received), hex(expected[i]!), `peer ${i} received each datagram intact and in order`);
  }
  t.same(drops, [], 'nothing dropped');
});
