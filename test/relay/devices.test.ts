/**
 * Issue 11, must-show 2: raw (AF_PACKET) and TAP bridge sides with real kernel devices the test creates. A frame
 * from the UDP peer crosses the bridge into a test network namespace, whose kernel answers; the answer comes back to
 * the peer; the bridge's capture decodes in tshark. Needs root (CI runs as root) and the native relay I/O.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import t from 'tap';
import { PatchbayError } from '../../src/errors/index.ts';
import type { BridgeSpec, RelayEvent } from '../../src/relay/types.ts';
import { pingRequest } from './frames.ts';
import { Endpoint, freePort, withPool } from './helpers.ts';
import {
  configureInNamespace,
  inNamespace,
  ip,
  linkExists,
  macInNamespace,
  pingThrough,
  prefix,
  promiscuous,
  vethIntoNamespace,
} from './kernel-devices.ts';

if (process.getuid?.() !== 0) t.plan(0, 'raw and TAP endpoints need root (CI runs as root)');

const tshark = (file: string): Promise<string> =>
  new Promise((resolve, reject) =>
    execFile('tshark', ['-r', file, '-Y', 'icmp', '-T', 'fields', '-e', 'icmp.type'], (error, stdout) =>
      error ? reject(error) : resolve(stdout),
    ),
  );

/** A UDP peer and the spec of a bridge joining it to `node` (a tap or raw side). */
async function peerFor(node: BridgeSpec['emulator']) {
  const peer = await Endpoint.open();
  const lport = await freePort();
  const spec: BridgeSpec = { emulator: node, nio: { lport, rhost: '127.0.0.1', rport: peer.port }, filters: {}, suspend: false };
  return { peer, lport, spec };
}

t.test('raw endpoint: a veth end in a namespace answers pings through the bridge; capture decodes', async (t) => {
  const veth = vethIntoNamespace('10.211.0.2');
  t.teardown(() => veth.remove());
  const pool = await withPool(t, 1, 'native');
  const { peer, lport, spec } = await peerFor({ kind: 'raw', device: veth.outer });
  t.teardown(() => peer.close());
  const dir = mkdtempSync(join(tmpdir(), 'relay-raw-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));

  await pool.createBridge('raw', spec);
  t.ok(promiscuous(veth.outer), 'the interface is promiscuous while bound');
  await pool.startCapture('raw', join(dir, 'raw.pcap'));
  t.ok(await pingThrough(peer, lport, macInNamespace(veth.ns, veth.inner), '10.211.0.2'), 'echo reply came back from the namespace');
  await pool.stopCapture('raw');
  const types = (await tshark(join(dir, 'raw.pcap'))).split('\n').filter(Boolean);
  t.ok(types.includes('8') && types.includes('0'), `tshark decodes echo request and reply (${types.join(',')})`);
  const stats = await pool.stats('raw');
  t.ok(stats.packets_in >= 2 && stats.packets_out >= 2, 'counted both ways');

  // Larger than the veth's 1500 B MTU: the kernel refuses it, the bridge counts it instead of truncating it.
  await peer.send(new Uint8Array(3000).fill(0x42), lport);
  for (let i = 0; i < 100 && !(await pool.stats('raw')).drops.too_big; i++) await new Promise((r) => setTimeout(r, 20));
  t.match((await pool.stats('raw')).drops, { too_big: 1 }, 'an over-MTU frame is dropped with reason too_big');

  await pool.deleteBridge('raw');
  t.notOk(promiscuous(veth.outer), 'promiscuous mode ends with the bridge');
});

t.test('raw endpoint: a vanished interface stops the bridge with an error instead of spinning', async (t) => {
  const veth = vethIntoNamespace('10.211.2.2');
  t.teardown(() => veth.remove());
  const pool = await withPool(t, 1, 'native');
  const events: RelayEvent[] = [];
  pool.onEvent((event) => events.push(event));
  const { peer, lport, spec } = await peerFor({ kind: 'raw', device: veth.outer });
  t.teardown(() => peer.close());
  await pool.createBridge('gone', spec);

  ip('link', 'del', veth.outer);
  for (let i = 0; i < 100 && !events.some((e) => e.level === 'error'); i++) await new Promise((r) => setTimeout(r, 20));
  t.match(events, [{ level: 'error', message: new RegExp(`Bridge "gone" stopped: interface "${veth.outer}" failed`) }]);
  await peer.send(pingRequest('10.211.2.1', '10.211.2.2'), lport);
  for (let i = 0; i < 50 && !(await pool.stats('gone')).drops.endpoint_down; i++) await new Promise((r) => setTimeout(r, 20));
  t.match((await pool.stats('gone')).drops, { endpoint_down: 1 }, 'frames towards the vanished side are counted as dropped');
  await pool.deleteBridge('gone');
});

t.test('tap endpoint: the relay creates the device, it moves into a namespace and keeps working', async (t) => {
  const ns = `${prefix}tn`;
  const tap = `${prefix}t`;
  ip('netns', 'add', ns);
  t.teardown(() => ip('netns', 'del', ns));
  const pool = await withPool(t, 1, 'native');
  const { peer, lport, spec } = await peerFor({ kind: 'tap', device: tap });
  t.teardown(() => peer.close());
  const dir = mkdtempSync(join(tmpdir(), 'relay-tap-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));

  await pool.createBridge('tap', spec);
  t.ok(linkExists(tap), 'TAP device created on the host');
  // What the Docker driver does: the device moves into the container's namespace, the worker keeps its descriptor.
  ip('link', 'set', tap, 'netns', ns);
  configureInNamespace(ns, tap, '10.211.1.2');
  await pool.startCapture('tap', join(dir, 'tap.pcap'));
  t.ok(await pingThrough(peer, lport, macInNamespace(ns, tap), '10.211.1.2'), 'echo reply came back from the namespace');
  await pool.stopCapture('tap');
  const types = (await tshark(join(dir, 'tap.pcap'))).split('\n').filter(Boolean);
  t.ok(types.includes('8') && types.includes('0'), `tshark decodes echo request and reply (${types.join(',')})`);

  await pool.deleteBridge('tap');
  t.throws(() => inNamespace(ns, 'ip', 'link', 'show', tap), 'the non-persistent device is gone with its bridge');
});

t.test('bad interface names and backends are refused before any syscall, with typed errors', async (t) => {
  const pool = await withPool(t, 1, 'native');
  const { peer, spec } = await peerFor({ kind: 'raw', device: 'x' });
  t.teardown(() => peer.close());
  const attempt = (emulator: BridgeSpec['emulator']) => pool.createBridge('bad', { ...spec, emulator });

  await t.rejects(attempt({ kind: 'raw', device: 'a-name-of-16-byt' }), { code: 'RELAY_INTERFACE_INVALID', status: 400 });
  await t.rejects(attempt({ kind: 'tap', device: '../etc' }), { code: 'RELAY_INTERFACE_INVALID', message: /may only contain/ });
  await t.rejects(attempt({ kind: 'raw', device: `${prefix}none` }), { code: 'RELAY_INTERFACE_MISSING', status: 409 });
  await t.rejects(pool.stats('bad'), /does not exist/, 'nothing was created');

  const dgram = await withPool(t, 1, 'dgram');
  const error = await dgram.createBridge('d', { ...spec, emulator: { kind: 'tap', device: `${prefix}d` } }).catch((e) => e);
  t.ok(error instanceof PatchbayError, 'registry error rebuilt across the worker boundary');
  t.match(error, { code: 'RELAY_BACKEND_UNSUPPORTED', status: 409, message: /--relay-io native/ });
  t.notOk(linkExists(`${prefix}d`));
});
