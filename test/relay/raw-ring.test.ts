/**
 * The raw side's receive ring (PACKET_RX_RING, src/relay/io/native/packet-ring.ts) with real devices the test creates:
 * frames the kernel could not place in a full ring are counted, a frame larger than a ring slot still crosses whole,
 * and a raw bridge moved to another worker reads on from the same ring. Needs root (CI runs as root) and the native
 * relay I/O.
 */
import { execFile, execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, readdirSync, rmdirSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import t from 'tap';
import { RELAY_IO } from './helpers.ts';
import { inNamespace, ip, rawBridgeToPeer, sendFromNamespace } from './kernel-devices.ts';

if (process.getuid?.() !== 0) t.plan(0, 'raw endpoints need root (CI runs as root)');
else if (RELAY_IO === 'dgram') t.plan(0, 'raw endpoints need the native relay I/O');

/** Kernel objects of this file: a prefix of their own, within 15 bytes with the suffixes below. */
const name = `pbrc${process.pid % 100000}`;
const FREEZER = '/sys/fs/cgroup/freezer';

const received = (device: string): number => Number(readFileSync(`/sys/class/net/${device}/statistics/rx_packets`, 'utf8'));

/** Polls `check` until it holds or 15 s have passed (the caller then asserts what it found; a loaded CI host is slow). */
async function until(check: () => Promise<boolean>): Promise<void> {
  for (let i = 0; i < 750 && !(await check()); i++) await new Promise((resolve) => setTimeout(resolve, 20));
}

t.test('frames lost to a full ring are counted as drops, none silently', { skip: !existsSync(`${FREEZER}/tasks`) && 'needs the cgroup v1 freezer' }, async (t) => {
  const { veth, pool, spec, gateway } = await rawBridgeToPeer(t, name, 1, '10.213.0.2');
  const before = new Set(readdirSync('/proc/self/task'));
  await pool.createBridge('ring', spec);
  const workers = readdirSync('/proc/self/task').filter((tid) => !before.has(tid));
  t.ok(workers.length > 0, 'the relay worker started with the bridge');

  // The worker is frozen while the namespace sends more frames than the ring has slots (4 096 at a 1 500 B MTU): the
  // kernel fills the ring in the sender's context, then has to drop the rest.
  const group = `${FREEZER}/${name}`;
  mkdirSync(group);
  const firstIn = received(veth.outer);
  try {
    for (const tid of workers) writeFileSync(`${group}/tasks`, tid);
    writeFileSync(`${group}/freezer.state`, 'FROZEN');
    for (let i = 0; i < 100 && readFileSync(`${group}/freezer.state`, 'utf8').trim() !== 'FROZEN'; i++) execFileSync('sleep', ['0.01']);
    sendFromNamespace(veth.ns, gateway, 6000, 100);
  } finally {
    writeFileSync(`${group}/freezer.state`, 'THAWED');
    for (const tid of readFileSync(`${group}/tasks`, 'utf8').split('\n').filter(Boolean)) writeFileSync(`${FREEZER}/tasks`, tid);
    rmdirSync(group);
  }
  const arrived = received(veth.outer) - firstIn;
  const accounted = async () => {
    const stats = await pool.stats('ring');
    return stats.packets_in + (stats.drops.receive_ring_full ?? 0);
  };
  await until(async () => (await accounted()) >= arrived);
  const stats = await pool.stats('ring');
  t.ok(arrived >= 6000, `the interface received every frame (${arrived})`);
  t.ok((stats.drops.receive_ring_full ?? 0) > 0, `the full ring dropped frames (${stats.drops.receive_ring_full})`);
  t.equal(await accounted(), arrived, 'every frame the interface received was forwarded or counted as dropped');
});

t.test('a frame larger than a ring slot crosses whole (the kernel queues a full copy beside the ring)', async (t) => {
  const { veth, pool, peer, spec, gateway } = await rawBridgeToPeer(t, name, 1, '10.213.1.2');
  // The ring's slots are sized for the MTU at open (1 500 B: 2 KiB slots); the MTU is raised afterwards.
  await pool.createBridge('big', spec);
  ip('link', 'set', veth.outer, 'mtu', '9000');
  inNamespace(veth.ns, 'ip', 'link', 'set', veth.inner, 'mtu', '9000');
  sendFromNamespace(veth.ns, gateway, 1, 5000);
  sendFromNamespace(veth.ns, gateway, 1, 100);
  const frames = await peer.waitFor(2, 15_000);
  t.same(frames.map((frame) => frame.length), [5042, 142], 'both frames, whole and in order (UDP payload + 42 B of headers)');
  t.same(frames[0]!.subarray(42), Buffer.alloc(5000, 0x5a), 'the large frame is not truncated');
  t.same((await pool.stats('big')).drops, {}, 'nothing dropped');
});

t.test('a raw bridge moved to another worker reads on from the same ring', async (t) => {
  const { veth, pool, peer, spec, gateway } = await rawBridgeToPeer(t, name, 2, '10.213.2.2');
  await pool.createBridge('moving', spec);
  sendFromNamespace(veth.ns, gateway, 3, 100);
  await peer.waitFor(3, 15_000);
  const from = (await pool.stats('moving')).packets_in;
  // Null while the pool's own sampler is moving something: ask again.
  let moved: number | null = null;
  for (let i = 0; i < 20 && moved === null; i++) {
    moved = await pool.rebalance('moving');
    if (moved === null) await new Promise((resolve) => setTimeout(resolve, 100));
  }
  t.not(moved, null, 'the bridge moved');
  sendFromNamespace(veth.ns, gateway, 5, 100);
  await until(async () => (await pool.stats('moving')).packets_in >= from + 5);
  t.equal((await pool.stats('moving')).packets_in, from + 5, 'frames after the move are read on the new worker');
  t.equal((await peer.waitFor(8, 15_000)).length, 8, 'and forwarded');
});

t.test('under Deno too: the ring is mapped through Deno.UnsafePointerView and frames cross it with their VLAN tags', async (t) => {
  const root = fileURLToPath(new URL('../../', import.meta.url));
  const stdout = await new Promise<string>((resolve, reject) =>
    execFile(`${root}node_modules/.bin/deno`, ['run', '-A', 'test/relay/fixtures/raw-ring-crossing.ts', `${name}d`], { cwd: root, timeout: 60_000 }, (error, out, err) =>
      error ? reject(new Error(`${error.message}\n${err}`)) : resolve(out),
    ),
  );
  const result = JSON.parse(stdout.trim().split('\n').at(-1)!);
  t.match(result, { io: 'native', received: 50, lengths: [1000], identical: true, stats: { packets_in: 50, packets_out: 50, drops: {} } });
});
