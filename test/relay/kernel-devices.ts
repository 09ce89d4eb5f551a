/**
 * Kernel objects for the raw/TAP endpoint tests: a network namespace and a veth pair with one end inside it, all named
 * with a per-process prefix and removed by `remove()` (deleting the namespace deletes what is inside it).
 */
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import type { BridgeSpec } from '../../src/relay/types.ts';
import type { Teardown } from '../helpers/daemon.ts';
import { icmpType, pingRequest } from './frames.ts';
import { Endpoint, freePort, startPool, withPool } from './helpers.ts';

export const ip = (...args: string[]): string => execFileSync('ip', args, { encoding: 'utf8' });
export const inNamespace = (ns: string, ...args: string[]): string =>
  execFileSync('ip', ['netns', 'exec', ns, ...args], { encoding: 'utf8' });

export const linkExists = (name: string): boolean => existsSync(`/sys/class/net/${name}`);

/** IFF_PROMISC in the interface's flags. */
export const promiscuous = (name: string): boolean => (parseInt(readFileSync(`/sys/class/net/${name}/flags`, 'utf8'), 16) & 0x100) !== 0;

/** Unique per test process: interface names stay within 15 bytes. */
export const prefix = `pbrl${process.pid % 100000}`;

/** A namespace `${name}ns` holding `${name}i` (with `address`, up), and the host end `${name}o` (up, no address). */
export function vethIntoNamespace(address: string, name = prefix) {
  const ns = `${name}ns`;
  const outer = `${name}o`;
  const inner = `${name}i`;
  ip('netns', 'add', ns);
  ip('link', 'add', outer, 'type', 'veth', 'peer', 'name', inner);
  ip('link', 'set', inner, 'netns', ns);
  ip('link', 'set', outer, 'up');
  configureInNamespace(ns, inner, address);
  return {
    ns,
    outer,
    inner,
    remove() {
      if (linkExists(outer)) ip('link', 'del', outer);
      ip('netns', 'del', ns);
    },
  };
}

/** Gives `device` (already in `ns`) an address, brings it up, and pins 10.x.y.1 to a fixed MAC so no ARP is needed. */
export function configureInNamespace(ns: string, device: string, address: string): void {
  inNamespace(ns, 'sysctl', '-q', '-w', `net.ipv6.conf.${device}.disable_ipv6=1`);
  inNamespace(ns, 'ip', 'addr', 'add', `${address}/24`, 'dev', device);
  inNamespace(ns, 'ip', 'link', 'set', device, 'up');
  inNamespace(ns, 'ip', 'link', 'set', 'lo', 'up');
  const gateway = address.replace(/\.\d+$/, '.1');
  inNamespace(ns, 'ip', 'neigh', 'replace', gateway, 'lladdr', '02:00:00:00:00:01', 'dev', device);
}

/** The MAC address of `device` inside `ns`. */
export function macInNamespace(ns: string, device: string): string {
  return inNamespace(ns, 'cat', `/sys/class/net/${device}/address`).trim();
}

/** Sends echo requests from the peer until an echo reply comes back (the namespace's interface may still be coming up). */
export async function pingThrough(peer: Endpoint, lport: number, dstMac: string, dstIp: string): Promise<boolean> {
  const srcIp = dstIp.replace(/\.\d+$/, '.1');
  for (let seq = 1; seq <= 20; seq++) {
    await peer.send(pingRequest(srcIp, dstIp, { dst: dstMac, src: '02:00:00:00:00:01', seq }), lport);
    const deadline = Date.now() + 250;
    while (Date.now() < deadline) {
      if (peer.received.some((frame) => icmpType(frame) === 0)) return true;
      await peer.waitFor(peer.received.length + 1, 50);
    }
  }
  return false;
}

/** Sends `count` UDP datagrams of `size` bytes (0x5a) from inside `ns` to `address`:9, as fast as the kernel takes them. */
export function sendFromNamespace(ns: string, address: string, count: number, size: number): void {
  const script = `const s = require('node:dgram').createSocket('udp4'); const b = Buffer.alloc(${size}, 0x5a); let left = ${count};
    for (let i = 0; i < ${count}; i++) s.send(b, 9, '${address}', () => { if (--left === 0) s.close(); });`;
  inNamespace(ns, process.execPath, '-e', script);
}

/**
 * A veth pair into a namespace (vethIntoNamespace, `address` inside), a native relay pool of `workers`, a UDP peer, and
 * the spec of a bridge from a raw side on the host end to that peer (not created yet); all removed when `t` ends.
 */
export async function rawBridgeToPeer(t: Teardown, name: string, workers: number, address: string) {
  const veth = vethIntoNamespace(address, name);
  t.teardown(() => veth.remove());
  const pool = await withPool(t, workers, 'native');
  const peer = await Endpoint.open();
  t.teardown(() => peer.close());
  const spec: BridgeSpec = { emulator: { kind: 'raw', device: veth.outer }, nio: { lport: await freePort(), rhost: '127.0.0.1', rport: peer.port }, filters: {}, suspend: false };
  return { veth, pool, peer, spec, gateway: address.replace(/\.\d+$/, '.1') };
}

/**
 * Sends `frames` from a UDP peer into a raw side on veth end `${name}b`, across the pair, out of the ring of a raw side on
 * end `${name}a` to its UDP peer (both sides' FFI paths in this runtime); the pair is removed at the end. Answers the
 * relay I/O, what the A side's peer received (within 10 s), and the A bridge's counters.
 */
export async function crossVethPair(name: string, frames: Uint8Array[]) {
  const [a, b] = [`${name}a`, `${name}b`];
  ip('link', 'add', a, 'type', 'veth', 'peer', 'name', b);
  try {
    for (const device of [a, b]) {
      execFileSync('sysctl', ['-q', '-w', `net.ipv6.conf.${device}.disable_ipv6=1`]);
      ip('link', 'set', device, 'up');
    }
    const pool = await startPool(1, 'native');
    const [toA, toB] = [await Endpoint.open(), await Endpoint.open()];
    const [lportA, lportB] = [await freePort(), await freePort()];
    const side = (device: string, lport: number, peer: Endpoint) =>
      ({ emulator: { kind: 'raw' as const, device }, nio: { lport, rhost: '127.0.0.1', rport: peer.port }, filters: {}, suspend: false });
    await pool.createBridge('A', side(a, lportA, toA));
    await pool.createBridge('B', side(b, lportB, toB));
    for (const frame of frames) await toB.send(frame, lportB);
    const received = await toA.waitFor(frames.length, 10_000);
    const result = { io: pool.io?.name, received, stats: await pool.stats('A') };
    await pool.close();
    await Promise.all([toA.close(), toB.close()]);
    return result;
  } finally {
    ip('link', 'del', a);
  }
}
