import t, { type Test } from 'tap';
import { RelayPool } from '../../src/relay/pool.ts';
import type { BridgeSpec } from '../../src/relay/types.ts';
import { Endpoint, freePort, numberedFrame, withPool } from './helpers.ts';

/** Two emulators of this compute joined by a link: each bridge's NIO points at the other's lport on loopback. */
async function linkFixture() {
  const [emulatorA, emulatorB] = [await Endpoint.open(), await Endpoint.open()];
  const [tunnelA, tunnelB, nioA, nioB] = [await freePort(), await freePort(), await freePort(), await freePort()];
  const a: BridgeSpec = {
    emulator: { lport: tunnelA, rhost: '127.0.0.1', rport: emulatorA.port },
    nio: { lport: nioA, rhost: '127.0.0.1', rport: nioB },
    filters: {},
    suspend: false,
  };
  const b: BridgeSpec = {
    emulator: { lport: tunnelB, rhost: '127.0.0.1', rport: emulatorB.port },
    nio: { lport: nioB, rhost: '127.0.0.1', rport: nioA },
    filters: {},
    suspend: false,
  };
  return { emulatorA, emulatorB, tunnelA, tunnelB, nioA, nioB, a, b, close: () => Promise.all([emulatorA.close(), emulatorB.close()]) };
}

/** A pool of `workers` with both bridges of a link, B's filters set to `filtersB`, all closed when `t` ends. */
async function linkedPool(t: Test, workers: number, filtersB = {}) {
  const pool = await withPool(t, workers);
  const fx = await linkFixture();
  t.teardown(fx.close);
  await pool.createBridge('a', fx.a);
  await pool.createBridge('b', { ...fx.b, filters: filtersB });
  return { pool, fx };
}

const seqs = (frames: Buffer[]) => frames.map((f) => f.readUInt32BE(0));

t.test('the two bridges of a link share a worker and relay both ways', async (t) => {
  const { pool, fx } = await linkedPool(t, 2);
  t.equal(pool.threadOf('a'), pool.threadOf('b'), 'co-located');

  for (let i = 0; i < 100; i++) await fx.emulatorA.send(numberedFrame(i), fx.tunnelA);
  t.same(seqs(await fx.emulatorB.waitFor(100)), Array.from({ length: 100 }, (_, i) => i), 'A → B, in order');
  await fx.emulatorB.send(numberedFrame(500, 1400), fx.tunnelB);
  t.same(seqs(await fx.emulatorA.waitFor(1)), [500], 'B → A');

  t.match(await pool.stats('a'), { packets_in: 101, packets_out: 101 });
  t.match(await pool.stats('b'), { packets_in: 101, packets_out: 101 });
});

t.test("the receiving bridge's filters and suspend apply to handed-over frames", async (t) => {
  const { pool, fx } = await linkedPool(t, 1, { packet_loss: [100] });
  await fx.emulatorA.send(numberedFrame(1), fx.tunnelA);
  await fx.emulatorB.waitFor(1, 200);
  t.equal(fx.emulatorB.received.length, 0, 'dropped by B');
  t.match((await pool.stats('b')).drops, { packet_loss: 1 });

  await pool.updateBridge('b', { filters: {}, suspend: true });
  await fx.emulatorA.send(numberedFrame(2), fx.tunnelA);
  await fx.emulatorB.waitFor(1, 200);
  t.equal(fx.emulatorB.received.length, 0, 'dropped by suspended B');
  t.match((await pool.stats('b')).drops, { suspend: 1 });
});

t.test('once the peer bridge is gone or moved, frames go through the kernel again', async (t) => {
  const { pool, fx } = await linkedPool(t, 1);
  await pool.deleteBridge('b');

  // Something else now listens on B's old NIO port: it must get A's frames.
  const stranger = await Endpoint.open();
  t.teardown(() => stranger.close());
  await pool.updateBridge('a', { nio: { ...fx.a.nio, rport: stranger.port } });
  await fx.emulatorA.send(numberedFrame(3), fx.tunnelA);
  t.same(seqs(await stranger.waitFor(1)), [3], 'sent to the new peer');

  // B comes back on a new NIO port while A still points at the stranger: no hand-over to B.
  const nioB2 = await freePort();
  await pool.createBridge('b', { ...fx.b, nio: { ...fx.b.nio, lport: nioB2 } });
  await fx.emulatorA.send(numberedFrame(4), fx.tunnelA);
  t.same(seqs(await stranger.waitFor(2)), [3, 4]);
  t.equal(fx.emulatorB.received.length, 0);

  // Re-targeting A at B's new port links them again.
  await pool.updateBridge('a', { nio: { ...fx.a.nio, rport: nioB2 } });
  await fx.emulatorA.send(numberedFrame(5), fx.tunnelA);
  t.same(seqs(await fx.emulatorB.waitFor(1)), [5]);
});

/** An emulator stand-in behind a bridge whose NIO is a fabric port's peer: emulator ↔ bridge ↔ fabric port. */
async function bridgeToFabric(pool: RelayPool, id: string, fabric: string, port: number, filters = {}) {
  const emulator = await Endpoint.open();
  const [tunnel, nio, fabricPort] = [await freePort(), await freePort(), await freePort()];
  await pool.setFabricPort(fabric, port, { lport: fabricPort, rhost: '127.0.0.1', rport: nio });
  await pool.createBridge(id, {
    emulator: { lport: tunnel, rhost: '127.0.0.1', rport: emulator.port },
    nio: { lport: nio, rhost: '127.0.0.1', rport: fabricPort },
    filters,
    suspend: false,
  });
  return { emulator, tunnel };
}

t.test('bridges joined through a hub share its worker; each gets its own copy of a flooded frame', async (t) => {
  const pool = await withPool(t, 2);
  await pool.createFabric('hub', 'ethernet_hub');
  const a = await bridgeToFabric(pool, 'a', 'hub', 0);
  const b = await bridgeToFabric(pool, 'b', 'hub', 1, { corrupt: [100] });
  const c = await bridgeToFabric(pool, 'c', 'hub', 2);
  t.teardown(() => Promise.all([a, b, c].map((x) => x.emulator.close())));
  for (const id of ['a', 'b', 'c']) t.equal(pool.threadOf(id), pool.threadOf('hub'), `${id} on the hub's worker`);

  const frame = numberedFrame(7, 128);
  await a.emulator.send(frame, a.tunnel);
  const [toB] = await b.emulator.waitFor(1);
  const [toC] = await c.emulator.waitFor(1);
  t.notSame(toB, frame, 'corrupted by B');
  t.same(toC, frame, 'C unaffected by B altering its copy');

  // From C the hub floods to A first, then to B: A's frame is still waiting to be sent when B corrupts its own.
  const back = numberedFrame(8, 128);
  await c.emulator.send(back, c.tunnel);
  t.same((await a.emulator.waitFor(1))[0], back, 'back through the hub, unaffected by B altering its copy');
  t.notSame((await b.emulator.waitFor(2))[1], back, 'corrupted by B');
  t.match(await pool.fabricStats('hub', 0), { packets_in: 1, packets_out: 1 });
  t.match(await pool.stats('a'), { packets_in: 2, packets_out: 2 });
});
