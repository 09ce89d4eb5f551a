import t, { type Test } from 'tap';
import type { RelayEvent } from '../../src/relay/types.ts';
import { readdirSync, readFileSync, rmSync } from 'node:fs';
import { bridgeFixture, Endpoint, freePort, numberedFrame, RELAY_IO, withPool } from './helpers.ts';

/**
 * Independent bridges share a worker on the native I/O until it is busy (src/relay/placement.ts); on dgram, whose
 * sockets cannot move between threads, they are spread at creation.
 */
const SPREADS = RELAY_IO === 'dgram';
const openFds = () => readdirSync('/proc/self/fd').length;

/** A pool of two workers and two independent bridges (on its first worker when native), all closed when `t` ends. */
async function poolWithIndependentBridges(t: Test, ...ids: [string, string]) {
  const pool = await withPool(t, 2);
  const fixtures = await Promise.all(ids.map(() => bridgeFixture()));
  for (const fx of fixtures) t.teardown(fx.close);
  for (const [i, id] of ids.entries()) await pool.createBridge(id, fixtures[i]!.spec);
  return { pool, fixtures: fixtures as [typeof fixtures[0], typeof fixtures[0]] };
}

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

t.test('independent bridges are placed by the backend\'s rule and can be deleted and updated', async (t) => {
  const pool = await withPool(t, 2);
  t.equal(pool.workerCount, 0, 'no worker before the first bridge');
  const a = await bridgeFixture();
  const b = await bridgeFixture();
  t.teardown(a.close);
  t.teardown(b.close);
  await pool.createBridge('a', a.spec);
  t.equal(pool.workerCount, 1, 'the first bridge started one worker');
  await pool.createBridge('b', b.spec);
  if (SPREADS) {
    t.equal(pool.workerCount, 2, 'dgram: a second independent bridge started the second worker');
    t.not(pool.threadOf('a'), pool.threadOf('b'), 'dgram: placement uses both workers');
  } else {
    t.equal(pool.workerCount, 1, 'native: a second independent bridge shares the worker, which is not busy');
    t.equal(pool.threadOf('a'), pool.threadOf('b'), 'native: both on the first worker');
  }

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
  t.equal(pool.workerCount, SPREADS ? 2 : 1, 'an emptied worker is reused, not a new one started');
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
  const expected = SPREADS ? 2 : 1;
  t.equal(pool.workerCount, expected, SPREADS ? 'dgram: never more than the bound' : 'native: one worker until it is busy');
  t.equal(starts.length, expected, 'each start announced once');
  t.equal(new Set(fixtures.map((_, i) => pool.threadOf(`c${i}`))).size, expected, 'bridges on the started workers');
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

t.test('a group moves live to another worker with its descriptors, counters and capture (native I/O)', { skip: SPREADS && 'dgram sockets cannot move' }, async (t) => {
  const pool = await withPool(t, 2);
  // A link between two bridges (one group) and an independent bridge, all on the one worker a quiet pool runs.
  const [a, b, c] = await Promise.all([bridgeFixture(), bridgeFixture(), bridgeFixture()]);
  for (const fx of [a, b, c]) t.teardown(fx.close);
  await pool.createBridge('a', { ...a.spec, nio: { lport: a.nioPort, rhost: '127.0.0.1', rport: b.nioPort } });
  await pool.createBridge('b', { ...b.spec, nio: { lport: b.nioPort, rhost: '127.0.0.1', rport: a.nioPort } });
  await pool.createBridge('c', c.spec);
  const first = pool.threadOf('a');
  t.equal(pool.threadOf('c'), first, 'the independent bridge shares the quiet worker');
  const capture = `/tmp/patchbay-placement-${process.pid}.pcap`;
  t.teardown(() => rmSync(capture, { force: true }));
  await pool.startCapture('c', capture);

  await c.emulator.send(numberedFrame(1), c.tunnelPort);
  await c.peer.waitFor(1);
  // Frames sent while the move runs wait in the kernel's socket queue and are received by the adopting worker.
  const burst = Array.from({ length: 200 }, (_, i) => numberedFrame(2 + i));
  const moving = pool.rebalance('c');
  for (const frame of burst) await c.emulator.send(frame, c.tunnelPort);
  const second = await moving;
  t.equal(pool.workerCount, 2, 'the move started the second worker');
  t.not(second, first, 'the group went to the new worker');
  t.equal(pool.threadOf('c'), second);
  t.equal(pool.threadOf('a'), first, 'the other group stayed');
  t.equal(pool.threadOf('b'), first, 'a link\'s two bridges stay together');
  const received = await c.peer.waitFor(201);
  t.same(received.map((f) => f.readUInt32BE(0)), Array.from({ length: 201 }, (_, i) => i + 1), 'no frame lost or reordered across the move');
  t.match(await pool.stats('c'), { packets_in: 201, packets_out: 201 }, 'counters continue');

  // Back to the first worker (the bound is reached, it is quiet): a move starts no thread, so the descriptor count can
  // only grow by a leak or a duplicate (it may shrink as the test runner closes some of its own).
  const fdsBefore = openFds();
  t.equal(await pool.rebalance('c'), first, 'moved back to the quiet worker');
  const fdsMoved = openFds();
  t.ok(fdsMoved <= fdsBefore, `a move neither leaks nor duplicates descriptors (${fdsBefore} → ${fdsMoved})`);

  await a.emulator.send(numberedFrame(300), a.tunnelPort);
  t.same((await b.emulator.waitFor(1)).map((f) => f.readUInt32BE(0)), [300], 'the link that stayed relays');
  await c.peer.send(numberedFrame(301), c.nioPort);
  t.same((await c.emulator.waitFor(1)).map((f) => f.readUInt32BE(0)), [301], 'the moved bridge relays towards its emulator');
  await pool.stopCapture('c');
  // Global header (24 B), then 202 records of 16 + 64 B: the capture went on in the same file across both moves.
  t.equal(readFileSync(capture).length, 24 + 202 * 80, 'the capture continued across the moves');

  for (const id of ['a', 'b', 'c']) await pool.deleteBridge(id);
  // Six sockets and the capture file (open when the mark was taken).
  const fdsAfter = openFds();
  t.ok(fdsAfter <= fdsBefore - 7, `the bridges' descriptors are closed once they are deleted (${fdsBefore} → ${fdsAfter})`);
});

t.test('a hub moves with the bridges on its ports, its counters continuing (native I/O)', { skip: SPREADS && 'dgram sockets cannot move' }, async (t) => {
  const pool = await withPool(t, 2);
  await pool.createFabric('h', 'ethernet_hub');
  const [a, b, solo] = await Promise.all([bridgeFixture(), bridgeFixture(), bridgeFixture()]);
  for (const fx of [a, b, solo]) t.teardown(fx.close);
  // Hub port i and bridge i's link side point at each other on loopback: one group, as two emulators on a hub.
  for (const [port, fx] of [a, b].entries()) {
    const hubPort = await freePort();
    await pool.setFabricPort('h', port, { lport: hubPort, rhost: '127.0.0.1', rport: fx.nioPort });
    await pool.createBridge(`b${port}`, { ...fx.spec, nio: { lport: fx.nioPort, rhost: '127.0.0.1', rport: hubPort } });
  }
  await pool.createBridge('solo', solo.spec);
  const first = pool.threadOf('h');
  t.same([pool.threadOf('b0'), pool.threadOf('b1'), pool.threadOf('solo')], [first, first, first], 'all on the one worker');

  await a.emulator.send(numberedFrame(1), a.tunnelPort);
  t.same((await b.emulator.waitFor(1)).map((f) => f.readUInt32BE(0)), [1], 'emulator a → hub → emulator b');
  const moved = await pool.rebalance('h');
  t.not(moved, first, 'the hub moved');
  t.same([pool.threadOf('b0'), pool.threadOf('b1')], [moved, moved], 'with the bridges on its ports');
  t.equal(pool.threadOf('solo'), first, 'the independent bridge stayed');
  await a.emulator.send(numberedFrame(2), a.tunnelPort);
  t.same((await b.emulator.waitFor(2)).map((f) => f.readUInt32BE(0)), [1, 2], 'the path works after the move');
  t.match(await pool.fabricStats('h', 0), { packets_in: 2 }, 'the hub port\'s counters continued');
  t.match(await pool.stats('b1'), { packets_out: 2 }, 'and the bridges\'');
  await pool.deleteFabric('h');
});

t.test('an update and a delete racing a move land on the worker that holds the bridge (native I/O)', { skip: SPREADS && 'dgram sockets cannot move' }, async (t) => {
  const { pool, fixtures: [u, d] } = await poolWithIndependentBridges(t, 'u', 'd');
  const first = pool.threadOf('u');

  // The delete is issued while the move waits for the second worker to start: it is carried out at once on the first,
  // and the move leaves the deleted bridge out.
  await Promise.all([pool.rebalance('d'), pool.deleteBridge('d')]);
  await t.rejects(pool.stats('d'), /does not exist/, 'd is gone');
  t.equal(pool.workerCount, 2, 'the move had started the second worker');
  await pool.createBridge('d2', d.spec);
  await d.emulator.send(numberedFrame(3), d.tunnelPort);
  t.same((await d.peer.waitFor(1)).map((f) => f.readUInt32BE(0)), [3], 'its ports were released and bind again');

  // The update is issued once the move has begun (the second worker exists, so nothing is awaited before it): it waits
  // for the adoption, then rebinds the link side on the adopting worker.
  const newPeer = await Endpoint.open();
  t.teardown(() => newPeer.close());
  const newLport = await freePort();
  const [moved] = await Promise.all([
    pool.rebalance('u'),
    pool.updateBridge('u', { nio: { lport: newLport, rhost: '127.0.0.1', rport: newPeer.port } }),
  ]);
  t.not(moved, first, 'u moved');
  await u.emulator.send(numberedFrame(1), u.tunnelPort);
  t.same((await newPeer.waitFor(1)).map((f) => f.readUInt32BE(0)), [1], 'the update took effect on the adopting worker');
  await newPeer.send(numberedFrame(2), newLport);
  t.same((await u.emulator.waitFor(1)).map((f) => f.readUInt32BE(0)), [2], 'on the new lport');
});

t.test('the adopting worker dying during a move: the moved bridge is rebuilt, no descriptor is left open (native I/O)', { skip: SPREADS && 'dgram sockets cannot move' }, async (t) => {
  const { pool, fixtures: [x, y] } = await poolWithIndependentBridges(t, 'x', 'y');
  const second = await pool.rebalance('x');
  const fdsBefore = openFds();
  // y moves to x's worker (quiet, the bound reached) while that worker is made to crash: it dies before or after y's
  // adoption, depending on which message it handles first; either way the crash restore rebuilds y (sweeping the
  // descriptors nobody adopted) and x.
  await Promise.all([pool.rebalance('y'), pool.injectWorkerCrash('x')]);
  t.not(pool.threadOf('x'), second, 'x lives on a new thread');
  await pool.stats('y');
  await y.emulator.send(numberedFrame(7), y.tunnelPort);
  t.same((await y.peer.waitFor(1)).map((f) => f.readUInt32BE(0)), [7], 'y relays');
  await x.emulator.send(numberedFrame(8), x.tunnelPort);
  t.same((await x.peer.waitFor(1)).map((f) => f.readUInt32BE(0)), [8], 'x relays');
  // The dead thread's own descriptors are released as it exits, which may trail the restore a little.
  for (let i = 0; i < 250 && openFds() > fdsBefore; i++) await new Promise((resolve) => setTimeout(resolve, 20));
  t.ok(openFds() <= fdsBefore, `no descriptor left open by the interrupted move (${fdsBefore} → ${openFds()})`);
});

t.test('a worker crash after a move re-creates the moved bridges (native I/O)', { skip: SPREADS && 'dgram sockets cannot move' }, async (t) => {
  const { pool, fixtures: [x, y] } = await poolWithIndependentBridges(t, 'x', 'y');
  const moved = await pool.rebalance('y');
  t.not(moved, pool.threadOf('x'), 'y moved');

  await pool.injectWorkerCrash('y');
  t.not(pool.threadOf('y'), moved, 'y lives on a new thread');
  await y.emulator.send(numberedFrame(5), y.tunnelPort);
  t.same((await y.peer.waitFor(1)).map((f) => f.readUInt32BE(0)), [5], 'the moved bridge relays again');
  await x.emulator.send(numberedFrame(6), x.tunnelPort);
  t.same((await x.peer.waitFor(1)).map((f) => f.readUInt32BE(0)), [6], 'the bridge that stayed was not touched');
});
