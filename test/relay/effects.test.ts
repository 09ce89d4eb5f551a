/** Filters and capture measured on real loopback traffic through a pool (bounds are deliberately generous). */
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import t from 'tap';
import type { Test } from 'tap';
import { bridgeFixture, numberedFrame, withPool } from './helpers.ts';
import { udpFrame } from './frames.ts';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

const pool = await withPool(t, 2);
let bridges = 0;

/** A bridge with the given filters and its emulator/peer endpoints, torn down with the test. */
async function filtered(t: Test, filters: Record<string, Array<string | number>>) {
  const fx = await bridgeFixture(filters);
  const id = `effects-${++bridges}`;
  await pool.createBridge(id, fx.spec);
  t.teardown(async () => {
    await pool.deleteBridge(id);
    await fx.close();
  });
  return { ...fx, id };
}

t.test('packet_loss 50 loses 40–60 % of 2000 frames', async (t) => {
  const fx = await filtered(t, { packet_loss: [50] });
  for (let i = 0; i < 2000; i++) {
    void fx.emulator.send(numberedFrame(i), fx.tunnelPort);
    if (i % 100 === 99) await sleep(5);
  }
  await fx.peer.waitFor(2000, 500);
  const lost = 2000 - fx.peer.received.length;
  t.ok(lost >= 800 && lost <= 1200, `lost ${lost} of 2000`);
  const stats = await pool.stats(fx.id);
  t.equal(stats.drops.packet_loss, lost, 'every loss is counted as packet_loss');
});

t.test('delay 50 adds 50 ± 10 ms without limiting throughput', async (t) => {
  const fx = await filtered(t, { delay: [50] });
  const sentAt = new Map<number, number>();
  const latencies: number[] = [];
  fx.peer.socket.on('message', (frame) => latencies.push(performance.now() - sentAt.get(frame.readUInt32BE(0))!));
  for (let i = 0; i < 20; i++) {
    sentAt.set(i, performance.now());
    await fx.emulator.send(numberedFrame(i), fx.tunnelPort);
    await sleep(5);
  }
  await fx.peer.waitFor(20);
  latencies.sort((a, b) => a - b);
  const median = latencies[10]!;
  t.ok(median >= 40 && median <= 60, `median latency ${median.toFixed(1)} ms`);
  t.same(fx.peer.received.map((f) => f.readUInt32BE(0)), [...Array(20).keys()], 'order kept');

  // 1000 frames sent back to back all arrive about 50 ms later: the delay queue does not serialise them.
  const start = performance.now();
  for (let i = 0; i < 1000; i++) void fx.emulator.send(numberedFrame(100 + i), fx.tunnelPort);
  await fx.peer.waitFor(1020, 3000);
  const elapsed = performance.now() - start;
  t.equal(fx.peer.received.length, 1020);
  t.ok(elapsed < 1000, `1000 delayed frames took ${elapsed.toFixed(0)} ms (a sleeping delay would need 50 s)`);
});

t.test('bandwidth 1000 kbit/s gives a goodput within 10 %', async (t) => {
  const fx = await filtered(t, { bandwidth: [1000] });
  const arrivals: number[] = [];
  fx.peer.socket.on('message', () => arrivals.push(performance.now()));
  // Offer ~2000 kbit/s of 1000-byte frames for one second.
  for (let i = 0; i < 125; i++) {
    void fx.emulator.send(numberedFrame(2 * i, 1000), fx.tunnelPort);
    void fx.emulator.send(numberedFrame(2 * i + 1, 1000), fx.tunnelPort);
    await sleep(8);
  }
  await sleep(200);
  const seconds = (arrivals.at(-1)! - arrivals[0]!) / 1000;
  const kbits = ((arrivals.length - 1) * 1000 * 8) / 1000 / seconds;
  t.ok(kbits >= 900 && kbits <= 1100, `goodput ${kbits.toFixed(0)} kbit/s over ${arrivals.length} frames`);
  t.ok((await pool.stats(fx.id)).drops.bandwidth! > 0, 'excess dropped once the backlog is full');
});

t.test('bpf drops matching frames; filters change on a live bridge', async (t) => {
  const fx = await filtered(t, { bpf: ['udp port 53\nicmp'] });
  await fx.emulator.send(udpFrame('10.0.0.1', '10.0.0.2', 4000, 53), fx.tunnelPort);
  await fx.emulator.send(udpFrame('10.0.0.1', '10.0.0.2', 4000, 80), fx.tunnelPort);
  await fx.peer.waitFor(1);
  await sleep(50);
  t.equal(fx.peer.received.length, 1, 'only the non-DNS frame passed');
  await pool.updateBridge(fx.id, { filters: {} });
  await fx.emulator.send(udpFrame('10.0.0.1', '10.0.0.2', 4000, 53), fx.tunnelPort);
  await fx.peer.waitFor(2);
  t.equal(fx.peer.received.length, 2, 'passes once the filter is removed');
  await t.rejects(pool.updateBridge(fx.id, { filters: { bpf: ['tcp portrange 1-2'] } }), /"portrange"/);
  t.match(await pool.stats(fx.id), { drops: { bpf: 1 }, packets_out: 2 });
});

t.test('capture writes a pcap that tshark reads, promptly and in both directions', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'relay-capture-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const file = join(dir, 'link.pcap');
  const fx = await filtered(t, { frequency_drop: [3] });
  await pool.startCapture(fx.id, file);
  await t.rejects(pool.startCapture(fx.id, file), /already active/);
  for (let i = 0; i < 3; i++) await fx.emulator.send(udpFrame('10.0.0.1', '10.0.0.2', 1000 + i, 53), fx.tunnelPort);
  for (let i = 0; i < 3; i++) await fx.peer.send(udpFrame('10.0.0.2', '10.0.0.1', 53, 2000 + i), fx.nioPort);
  await fx.peer.waitFor(2);
  await fx.emulator.waitFor(2);
  await sleep(150);
  t.equal(statSync(file).size, 24 + 4 * (16 + 60), 'forwarded frames are on disk before the capture stops');
  await pool.stopCapture(fx.id);
  await pool.stopCapture(fx.id);

  const header = readFileSync(file).subarray(0, 24).toString('hex');
  t.equal(header, 'd4c3b2a1020004000000000000000000ffff000001000000', 'magic, v2.4, snaplen 65535, DLT_EN10MB');
  const fields = await new Promise<string>((resolve, reject) =>
    execFile('tshark', ['-r', file, '-T', 'fields', '-e', 'ip.src', '-e', 'udp.srcport'], (error, stdout) =>
      error ? reject(error) : resolve(stdout),
    ),
  );
  // frequency_drop 3 drops the 3rd and 6th frame: what was dropped is not captured.
  t.same(fields.trim().split('\n'), ['10.0.0.1\t1000', '10.0.0.1\t1001', '10.0.0.2\t53', '10.0.0.2\t53']);
});
