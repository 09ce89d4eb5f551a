/**
 * Kernel objects for the raw/TAP endpoint tests: a network namespace and a veth pair with one end inside it, all named
 * with a per-process prefix and removed by `remove()` (deleting the namespace deletes what is inside it).
 */
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { icmpType, pingRequest } from './frames.ts';
import type { Endpoint } from './helpers.ts';

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
