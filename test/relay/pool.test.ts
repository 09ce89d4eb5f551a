import t, { type Test } from 'tap';
import type { RelayEvent } from '../../src/relay/types.ts';
import { bridgeFixture, Endpoint, freePort, numberedFrame, withPool } from './helpers.ts';

/** A pool of `workers` and bridge `id` between an emulator stand-in and a link peer, all closed when `t` ends. */
async function poolWithBridge(t: Test, workers: number, id: string) {
  const pool = await withPool(t, workers);
  const fx = await bridgeFixture();
  t.teardown(fx.close);
  await pool.createBridge(id, fx.spec);
  return { pool, fx };
}

t.test('a bridge relays frames in both directions', async (t) => {
  const { pool, fx } = await poolWithBridge(t, 2, 'b1');

  await fx.emulator.send(numberedFrame(1), fx.tunnelPort);
  const toPeer = await fx.peer.waitFor(1);
  t.same(toPeer.map((f) => f.readUInt32BE(0)), [1], 'emulator → link');

  await fx.peer.send(numberedFrame(2, 1400), fx.nioPort);
  const toEmulator = await fx.emulator.waitFor(1);
  t.same(toEmulator.map((f) => f.length), [1400], 'link → emulator, size kept');

  const stats = await pool.stats('b1');
  t.match(stats, { packets_in: 2, packets_out: 2, bytes_in: 1464, bytes_out: 1464, drops: {} });
});

t.test('bridges spread over the workers and can be deleted and updated', async (t) => {
  const pool = await withPool(t, 2);
  t.equal(pool.workerCount, 0, 'no worker before the first bridge');
  const a = await bridgeFixture();
  const b = await bridgeFixture();
  t.teardown(a.close);
  t.teardown(b.close);
  await pool.createBridge('a', a.spec);
  t.equal(pool.workerCount, 1, 'the first bridge started one worker');
  await pool.createBridge('b', b.spec);
  t.equal(pool.workerCount, 2, 'a second independent bridge started the second');
  t.not(pool.threadOf('a'), pool.threadOf('b'), 'placement uses both workers');

  await t.rejects(pool.createBridge('a', a.spec), /already exists/);
  const clash = await bridgeFixture();
  t.teardown(clash.close);
  await t.rejects(pool.createBridge('c', { ...clash.spec, nio: b.spec.nio }), { code: 'EADDRINUSE' });

  // Retarget the link side of "a" to a new peer on a new local port.
  const newPeer = await Endpoint.open();
  t.teardown(() => newPeer.close());
  const newLport = await freePort();
  await pool.updateBridge('a', { nio: { lport: newLport, rhost: '127.0.0.1', rport: newPeer.port } });
  await a.emulator.send(numberedFrame(7), a.tunnelPort);
  t.same((await newPeer.waitFor(1)).map((f) => f.readUInt32BE(0)), [7], 'sent to the new peer');
  await newPeer.send(numberedFrame(8), newLport);
  t.same((await a.emulator.waitFor(1)).map((f) => f.readUInt32BE(0)), [8], 'received on the new lport');

  await pool.updateBridge('a', { suspend: true });
  await a.emulator.send(numberedFrame(9), a.tunnelPort);
  await newPeer.waitFor(2, 200);
  t.equal(newPeer.received.length, 1, 'suspended bridge drops');
  t.match((await pool.stats('a')).drops, { suspend: 1 });

  await pool.deleteBridge('b');
  await t.rejects(pool.stats('b'), /does not exist/);
  // The ports of a deleted bridge are free again.
  await pool.createBridge('b2', b.spec);
  t.equal(pool.workerCount, 2, 'an emptied worker is reused, not a new one started');
});

t.test('a crashed worker is replaced and its bridges re-created', async (t) => {
  const pool = await withPool(t, 1);
  const events: RelayEvent[] = [];
  pool.onEvent((event) => events.push(event));
  const fx = await bridgeFixture();
  t.teardown(fx.close);
  await pool.createBridge('x', fx.spec);
  const before = pool.threadOf('x');

  await pool.injectWorkerCrash('x');
  t.not(pool.threadOf('x'), before, 'bridge lives on a new thread');
  t.equal(pool.workerCount, 1);

  await fx.emulator.send(numberedFrame(3), fx.tunnelPort);
  t.same((await fx.peer.waitFor(1)).map((f) => f.readUInt32BE(0)), [3], 'relaying again');
  // The warning is emitted right after the restore settles.
  await new Promise((resolve) => setTimeout(resolve, 20));
  t.match(events, [{ level: 'warning', message: /re-created 1 of 1 bridges\/fabrics/ }]);
});

t.test('workers start on demand up to the bound, concurrent creates included', async (t) => {
  const pool = await withPool(t, 2);
  const starts: number[] = [];
  pool.onWorkerStart((start) => starts.push(start.threadId));
  t.equal(pool.io, null, 'no I/O opened yet');
  const fixtures = await Promise.all(Array.from({ length: 5 }, () => bridgeFixture()));
  for (const fx of fixtures) t.teardown(fx.close);
  await Promise.all(fixtures.map((fx, i) => pool.createBridge(`c${i}`, fx.spec)));
  await pool.createFabric('sw', 'ethernet_switch');
  t.equal(pool.workerCount, 2, 'never more than the bound');
  t.equal(starts.length, 2, 'each start announced once');
  t.equal(new Set(fixtures.map((_, i) => pool.threadOf(`c${i}`))).size, 2, 'bridges spread over both');
  t.ok(pool.io?.name === 'native' || pool.io?.name === 'dgram', 'the I/O is known once a worker runs');
});

t.test('the largest UDP datagram (65,507 B) crosses a bridge intact both ways', async (t) => {
  const { fx } = await poolWithBridge(t, 1, 'big');
  const frame = numberedFrame(5, 65_507);
  frame.fill(0x5a, 4);
  await fx.emulator.send(frame, fx.tunnelPort);
  await fx.peer.send(frame, fx.nioPort);
  const [toPeer, toEmulator] = await Promise.all([fx.peer.waitFor(1), fx.emulator.waitFor(1)]);
  t.ok(toPeer[0]?.equals(frame), 'emulator → link intact');
  t.ok(toEmulator[0]?.equals(frame), 'link → emulator intact');
});
