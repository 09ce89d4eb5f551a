/**
 * Evaluates a parsed BPF subset against an Ethernet frame (no I/O). Unlike pcap, protocol and address primitives look
 * through up to two VLAN tags (802.1Q 0x8100, QinQ 0x88a8/0x9100) without needing a `vlan` keyword first; `vlan [id]`
 * tests the outer tag. IPv6 extension headers are not walked (the transport header is expected right after the
 * fixed header); IPv4 ports are read from first fragments only.
 */
import type { BpfDirection, BpfNode } from './bpf-parser.ts';
import { STACKED_TPIDS } from '../switching/vlan.ts';

/** What one pass over the headers found; reused for every frame (one matcher call at a time per thread). */
type Dissection = { etherType: number; l3: number; vlan: number; ipProto: number; l4: number };

const ETHERTYPE_IPV4 = 0x0800;
const ETHERTYPE_IPV6 = 0x86dd;
const ETHERTYPE_ARP = 0x0806;

const u16 = (f: Uint8Array, at: number) => (f[at]! << 8) | f[at + 1]!;

function dissect(f: Uint8Array, d: Dissection): void {
  d.etherType = -1;
  d.vlan = -1;
  d.ipProto = -1;
  d.l4 = -1;
  if (f.length < 14) return;
  let type = u16(f, 12);
  let at = 14;
  for (let tags = 0; tags < 2 && STACKED_TPIDS.has(type) && f.length >= at + 4; tags++) {
    if (tags === 0) d.vlan = u16(f, at) & 0x0fff;
    type = u16(f, at + 2);
    at += 4;
  }
  d.etherType = type;
  d.l3 = at;
  if (type === ETHERTYPE_IPV4 && f.length >= at + 20) {
    d.ipProto = f[at + 9]!;
    const fragmentOffset = u16(f, at + 6) & 0x1fff;
    if (fragmentOffset === 0) d.l4 = at + (f[at]! & 0x0f) * 4;
  } else if (type === ETHERTYPE_IPV6 && f.length >= at + 40) {
    d.ipProto = f[at + 6]!;
    d.l4 = at + 40;
  }
}

function equalAt(f: Uint8Array, at: number, bytes: Uint8Array): boolean {
  if (at < 0 || f.length < at + bytes.length) return false;
  for (let i = 0; i < bytes.length; i++) if (f[at + i] !== bytes[i]) return false;
  return true;
}

/** Source and destination offsets of the address fields an address of this size can be compared with. */
function addressOffsets(f: Uint8Array, d: Dissection, size: number): [number, number] | null {
  if (size === 4 && d.etherType === ETHERTYPE_IPV4) return [d.l3 + 12, d.l3 + 16];
  if (size === 16 && d.etherType === ETHERTYPE_IPV6) return [d.l3 + 8, d.l3 + 24];
  // ARP for IPv4 over Ethernet: sender protocol address at 14, target at 24.
  if (size === 4 && d.etherType === ETHERTYPE_ARP && f.length >= d.l3 + 28 && u16(f, d.l3 + 2) === ETHERTYPE_IPV4) {
    return [d.l3 + 14, d.l3 + 24];
  }
  return null;
}

const either = (dir: BpfDirection, src: () => boolean, dst: () => boolean) =>
  dir === 'src' ? src() : dir === 'dst' ? dst() : src() || dst();

type Test = (f: Uint8Array, d: Dissection) => boolean;

function compile(node: BpfNode): Test {
  switch (node.kind) {
    case 'and': {
      const [left, right] = [compile(node.left), compile(node.right)];
      return (f, d) => left(f, d) && right(f, d);
    }
    case 'or': {
      const [left, right] = [compile(node.left), compile(node.right)];
      return (f, d) => left(f, d) || right(f, d);
    }
    case 'not': {
      const operand = compile(node.operand);
      return (f, d) => !operand(f, d);
    }
    case 'proto':
      switch (node.proto) {
        case 'ip':
          return (_f, d) => d.etherType === ETHERTYPE_IPV4;
        case 'ip6':
          return (_f, d) => d.etherType === ETHERTYPE_IPV6;
        case 'arp':
          return (_f, d) => d.etherType === ETHERTYPE_ARP;
        case 'icmp':
          return (_f, d) => d.etherType === ETHERTYPE_IPV4 && d.ipProto === 1;
        case 'tcp':
          return (_f, d) => d.ipProto === 6;
        case 'udp':
          return (_f, d) => d.ipProto === 17;
      }
      break;
    case 'vlan': {
      const id = node.id;
      return (_f, d) => d.vlan >= 0 && (id === null || d.vlan === id);
    }
    case 'host': {
      const { dir, address } = node;
      return (f, d) => {
        const offsets = addressOffsets(f, d, address.length);
        if (!offsets) return false;
        return either(dir, () => equalAt(f, offsets[0], address), () => equalAt(f, offsets[1], address));
      };
    }
    case 'port': {
      const { dir, port, proto } = node;
      const protocols = proto === 'tcp' ? [6] : proto === 'udp' ? [17] : [6, 17];
      return (f, d) =>
        protocols.includes(d.ipProto) &&
        d.l4 >= 0 &&
        f.length >= d.l4 + 4 &&
        either(dir, () => u16(f, d.l4) === port, () => u16(f, d.l4 + 2) === port);
    }
    case 'ether': {
      const { dir, mac } = node;
      return (f) => either(dir, () => equalAt(f, 6, mac), () => equalAt(f, 0, mac));
    }
  }
  throw new Error('Unreachable BPF node');
}

/** Turns a parsed expression into a predicate over Ethernet frames. */
export function compileBpf(node: BpfNode): (frame: Uint8Array) => boolean {
  const test = compile(node);
  const d: Dissection = { etherType: -1, l3: 14, vlan: -1, ipProto: -1, l4: -1 };
  return (frame) => {
    dissect(frame, d);
    return test(frame, d);
  };
}
