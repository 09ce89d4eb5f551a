/**
 * A TAP side whose spec names a network namespace (what the Docker driver asks for): the relay moves the device there
 * under its new name and MAC, and puts a new one back after the worker owning it died (the old device vanished with
 * the worker's descriptor). Needs root (CI runs as root) and the native relay I/O. The namespace is the test's own,
 * held by a `sleep` the test starts in it (a container's first process in real use).
 */
import { spawn } from 'node:child_process';
import t from 'tap';
import { RelayPool } from '../../src/relay/pool.ts';
import type { BridgeSpec } from '../../src/relay/types.ts';
import { Endpoint, freePort } from './helpers.ts';
import { configureInNamespace, inNamespace, ip, linkExists, macInNamespace, pingThrough, prefix } from './kernel-devices.ts';

if (process.getuid?.() !== 0) t.plan(0, 'TAP endpoints need root (CI runs as root)');

const MAC = '02:42:ac:11:00:07';

t.test('the relay moves its TAP device into the namespace, also when it rebuilds the bridge', async (t) => {
  const ns = `${prefix}cn`;
  const tap = `${prefix}ct`;
  ip('netns', 'add', ns);
  t.teardown(() => ip('netns', 'del', ns));
  const holder = spawn('ip', ['netns', 'exec', ns, 'sleep', '300'], { stdio: 'ignore' });
  t.teardown(() => void holder.kill());
  // The holder's pid is `ip` until it execs sleep inside the namespace: wait until the pid is in the namespace.
  const pid = holder.pid!;
  for (let i = 0; i < 100 && !inNamespace(ns, 'ip', 'netns', 'identify', String(pid)).includes(ns); i++) {
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  const pool = await RelayPool.start({ workers: 1, io: 'native' });
  t.teardown(() => pool.close());
  const peer = await Endpoint.open();
  t.teardown(() => peer.close());
  const lport = await freePort();
  const spec: BridgeSpec = {
    emulator: { kind: 'tap', device: tap, netns: { pid, name: 'eth0', mac: MAC } },
    nio: { lport, rhost: '127.0.0.1', rport: peer.port },
    filters: {},
    suspend: false,
  };

  await pool.createBridge('ctap', spec);
  t.notOk(linkExists(tap), 'the device left the host namespace');
  t.equal(macInNamespace(ns, 'eth0'), MAC, 'it is eth0 in the namespace, with the MAC asked for');
  configureInNamespace(ns, 'eth0', '10.211.3.2');
  t.ok(await pingThrough(peer, lport, MAC, '10.211.3.2'), 'echo reply came back from the namespace');

  await pool.injectWorkerCrash('ctap');
  t.notOk(linkExists(tap), 'the rebuilt device is not left on the host');
  t.equal(macInNamespace(ns, 'eth0'), MAC, 'a new eth0 is back in the namespace with the same MAC');
  // A new device: the namespace configures it again, as a container's network setup would.
  configureInNamespace(ns, 'eth0', '10.211.3.2');
  peer.received.length = 0;
  t.ok(await pingThrough(peer, lport, MAC, '10.211.3.2'), 'echo reply through the rebuilt bridge');

  await pool.deleteBridge('ctap');
  t.throws(() => inNamespace(ns, 'ip', 'link', 'show', 'eth0'), 'the device is gone with its bridge');
});

t.test('a namespace the device cannot move into fails the bridge and leaves nothing behind', async (t) => {
  const tap = `${prefix}cx`;
  const pool = await RelayPool.start({ workers: 1, io: 'native' });
  t.teardown(() => pool.close());
  const lport = await freePort();
  const spec: BridgeSpec = {
    emulator: { kind: 'tap', device: tap, netns: { pid: 2 ** 22 + 1, name: 'eth0', mac: MAC } },
    nio: { lport, rhost: '127.0.0.1', rport: 9 },
    filters: {},
    suspend: false,
  };
  await t.rejects(pool.createBridge('cx', spec), /netns/, 'the move failed and said why');
  t.notOk(linkExists(tap), 'no TAP device left on the host');
  await t.rejects(pool.stats('cx'), /does not exist/, 'no bridge either');
});
