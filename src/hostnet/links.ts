/**
 * Host network links (bridges, TAP devices, veth pairs): read from sysfs, changed with `ip` argument vectors. Generic
 * on purpose: the NAT network, cloud ports and Docker adapters all go through these.
 */
import { existsSync, readdirSync, readFileSync, readlinkSync } from 'node:fs';
import { basename } from 'node:path';
import { runHostCommand } from './host-command.ts';
import { isInterfaceName } from './interface-name.ts';

const SYS = '/sys/class/net';
/** IFF_TAP in /sys/class/net/<tun>/tun_flags. */
const IFF_TAP = 0x0002;

/** The sysfs folder of a link; null for a name that cannot be one (so no name can walk out of /sys/class/net). */
const sysPath = (name: string) => (isInterfaceName(name) ? `${SYS}/${name}` : null);

/** Names of the links of the agent's network namespace, sorted. */
export function linkNames(): string[] {
  try {
    // Skips plain files such as bonding_masters.
    return readdirSync(SYS).filter((name) => existsSync(`${SYS}/${name}/ifindex`)).sort();
  } catch {
    return []; // Not Linux.
  }
}

export function linkExists(name: string): boolean {
  const path = sysPath(name);
  return path !== null && existsSync(path);
}

export type LinkKind = 'bridge' | 'tap' | 'other';

/** What a link is, or null if it does not exist. */
export function linkKind(name: string): LinkKind | null {
  const path = sysPath(name);
  if (!path || !existsSync(path)) return null;
  if (existsSync(`${path}/bridge`)) return 'bridge';
  try {
    if (Number(readFileSync(`${path}/tun_flags`, 'utf8').trim()) & IFF_TAP) return 'tap';
  } catch {
    // Not a tun/tap device.
  }
  return 'other';
}

/** The kernel's index of a link, or null if it does not exist. */
export function linkIndex(name: string): number | null {
  const path = sysPath(name);
  try {
    return path ? Number(readFileSync(`${path}/ifindex`, 'utf8').trim()) : null;
  } catch {
    return null;
  }
}

/** The bridge a link is a port of, or null. */
export function linkMaster(name: string): string | null {
  const path = sysPath(name);
  try {
    return path ? basename(readlinkSync(`${path}/master`)) : null;
  } catch {
    return null;
  }
}

/** The link's MAC address, or '' if unknown. */
export function linkMac(name: string): string {
  const path = sysPath(name);
  try {
    return path ? readFileSync(`${path}/address`, 'utf8').trim() : '';
  } catch {
    return '';
  }
}

/** Pure: interfaces with an IPv4 default route in the text of /proc/net/route. */
export function parseDefaultRouteInterfaces(routeTable: string): string[] {
  const names = routeTable
    .split('\n')
    .slice(1)
    .map((line) => line.trim().split(/\s+/))
    .filter((fields) => fields.length >= 8 && fields[1] === '00000000' && fields[7] === '00000000')
    .map((fields) => fields[0]!);
  return [...new Set(names)];
}

/** Names of the interfaces carrying a default route (the host's uplinks). */
export function defaultRouteInterfaces(): string[] {
  try {
    return parseDefaultRouteInterfaces(readFileSync('/proc/net/route', 'utf8'));
  } catch {
    return [];
  }
}

const ip = (...args: string[]) => runHostCommand('ip', args);

export type Ipv4Assignment = { link: string; address: string; prefixlen: number };

/** Every IPv4 address on the host's links, up or down (os.networkInterfaces skips links that are down). */
export async function ipv4Assignments(): Promise<Ipv4Assignment[]> {
  const links = JSON.parse(await ip('-j', '-4', 'addr', 'show')) as Array<{ ifname: string; addr_info?: Array<{ local: string; prefixlen: number }> }>;
  return links.flatMap((link) => (link.addr_info ?? []).map((a) => ({ link: link.ifname, address: a.local, prefixlen: a.prefixlen })));
}

export async function createBridge(name: string): Promise<void> {
  await ip('link', 'add', 'name', name, 'type', 'bridge');
}

/**
 * Creates a persistent TAP device; fails if the name is taken (the kernel checks atomically, so two agents racing for
 * one name cannot both get it). A process then attaches to it by name through /dev/net/tun.
 */
export async function createTap(name: string): Promise<void> {
  await ip('tuntap', 'add', 'dev', name, 'mode', 'tap');
}

export async function createVethPair(name: string, peer: string): Promise<void> {
  await ip('link', 'add', 'name', name, 'type', 'veth', 'peer', 'name', peer);
}

/** Deletes a link (a veth takes its peer with it); resolves false if it did not exist. */
export async function deleteLink(name: string): Promise<boolean> {
  if (!linkExists(name)) return false;
  try {
    await ip('link', 'del', 'dev', name);
  } catch (err) {
    if (linkExists(name)) throw err; // Otherwise it went away on its own meanwhile.
  }
  return true;
}

export async function setLinkUp(name: string): Promise<void> {
  await ip('link', 'set', 'dev', name, 'up');
}

/** Makes `name` a port of `bridge` and brings it up. */
export async function attachToBridge(name: string, bridge: string): Promise<void> {
  await ip('link', 'set', 'dev', name, 'master', bridge, 'up');
}

/** Adds an IPv4 address in CIDR form (`192.168.122.1/24`). */
export async function addAddress(name: string, cidr: string): Promise<void> {
  await ip('address', 'add', cidr, 'dev', name);
}

/**
 * Moves link `name` into the network namespace of process `pid` (a container's first process), renamed `newName`
 * and with MAC `mac`, in one netlink request: the link never appears in the target under its host name.
 */
export async function moveLinkIntoNamespace(name: string, pid: number, newName: string, mac: string): Promise<void> {
  await ip('link', 'set', 'dev', name, 'address', mac, 'netns', String(pid), 'name', newName);
}
