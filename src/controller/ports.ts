/** The `ports` list of a node, derived from its type and properties as GNS3 clients expect it. */
import { ADAPTERS, WIC_PORT_BASE, WICS, type PortKind } from '../compute/dynamips/platforms.ts';
import type { CustomAdapter } from './topology.ts';
import { fail } from '../errors/index.ts';

export type Port = {
  name: string;
  short_name: string;
  adapter_number: number;
  port_number: number;
  link_type: 'ethernet' | 'serial';
  data_link_types: Record<string, string>;
  adapter_type?: string;
  mac_address?: string;
};

export type PortSource = {
  node_type: string;
  name: string;
  properties: Record<string, unknown>;
  port_name_format: string;
  port_segment_size: number;
  first_port_name: string | null;
  custom_adapters: CustomAdapter[];
};

const ETHERNET_DLT = { Ethernet: 'DLT_EN10MB' };
const SERIAL_DLT = { 'Frame Relay': 'DLT_FRELAY', 'Cisco HDLC': 'DLT_C_HDLC', 'Cisco PPP': 'DLT_PPP_SERIAL' };
const SHORT_TYPES: Array<[string, string]> = [
  ['GigabitEthernet', 'g'],
  ['FastEthernet', 'f'],
  ['Ethernet', 'e'],
  ['Serial', 's'],
  ['ATM', 'a'],
  ['POS', 'p'],
  ['FrameRelay', 's'],
];

/** GNS3's short names: `Ethernet0` → `e0`, `FastEthernet0/1` → `f0/1`, anything else stays as is. */
export function shortName(name: string, interfaceNumber: number): string {
  for (const [long, short] of SHORT_TYPES) {
    if (name.includes('/') && name.startsWith(long)) return short + name.slice(long.length);
    if (name === `${long}${interfaceNumber}`) return `${short}${interfaceNumber}`;
  }
  return name;
}

function ethernet(name: string, adapter: number, port: number, short = shortName(name, port)): Port {
  return { name, short_name: short, adapter_number: adapter, port_number: port, link_type: 'ethernet', data_link_types: ETHERNET_DLT };
}

/** Adds `n` to the last byte(s) of a MAC address, as GNS3 does for per-adapter MACs. */
function macPlus(base: string, n: number): string {
  const hex = base.replace(/[^0-9a-fA-F]/g, '');
  if (hex.length !== 12) return '';
  const value = (BigInt('0x' + hex) + BigInt(n)) & 0xffffffffffffn;
  return value.toString(16).padStart(12, '0').replace(/(..)(?!$)/g, '$1:');
}

/**
 * Python `str.format` for port names: positional `{0}` interface, `{1}` segment; named `{adapter}`,
 * `{port0..8}`, `{segment0..8}`.
 */
function formatPortName(format: string, iface: number, segment: number, adapter: number): string {
  return format.replace(/\{\{|\}\}|\{([^{}]*)\}/g, (match, field: string | undefined) => {
    if (match === '{{') return '{';
    if (match === '}}') return '}';
    if (field === '0' || field === '') return String(iface);
    if (field === '1') return String(segment);
    if (field === 'adapter') return String(adapter);
    const named = /^(port|segment)([0-8])$/.exec(field ?? '');
    if (named) return String((named[1] === 'port' ? iface : segment) + Number(named[2]));
    throw fail('PORT_NAME_FORMAT_INVALID', format);
  });
}

function mappingPorts(properties: Record<string, unknown>, short: (name: string, index: number) => string): Port[] {
  const mapping = Array.isArray(properties.ports_mapping) ? (properties.ports_mapping as Array<{ name?: string }>) : [];
  return mapping.map((entry, index) => {
    const name = entry.name ?? `Ethernet${index}`;
    return ethernet(name, 0, index, short(name, index));
  });
}

/** One port per port number the mappings name (ATM paths `port:vpi` and channels `port:vpi:vci` alike). */
function switchPorts(properties: Record<string, unknown>, type: 'ATM' | 'FrameRelay'): Port[] {
  const mappings = (properties.mappings ?? {}) as Record<string, string>;
  const numbers = new Set<number>();
  for (const [source, destination] of Object.entries(mappings)) {
    for (const text of [source, destination]) {
      const port = Number(String(text).split(':')[0]);
      if (Number.isInteger(port)) numbers.add(port);
    }
  }
  const dlt: Record<string, string> = type === 'ATM' ? { ATM: 'DLT_ATM_RFC1483' } : { 'Frame Relay': 'DLT_FRELAY' };
  return [...numbers]
    .sort((a, b) => a - b)
    .map((n): Port => ({
      name: String(n),
      short_name: String(n),
      adapter_number: 0,
      port_number: n,
      link_type: 'serial',
      data_link_types: dlt,
    }));
}

const DLT_BY_KIND: Record<PortKind, Record<string, string>> = {
  Ethernet: ETHERNET_DLT,
  FastEthernet: ETHERNET_DLT,
  GigabitEthernet: ETHERNET_DLT,
  Serial: SERIAL_DLT,
  ATM: { ATM: 'DLT_ATM_RFC1483' },
  POS: {},
};
const SHORT_BY_KIND: Record<PortKind, string> = { Ethernet: 'e', FastEthernet: 'f', GigabitEthernet: 'g', Serial: 's', ATM: 'a', POS: 'p' };

/**
 * A router's ports from its `slotN` and `wicN` properties, in GNS3's order and numbering: adapter N holds the ports of
 * slot N (`FastEthernet0/1` = adapter 0 port 1); WIC ports sit on adapter 0 at 16 × (WIC slot + 1) + i and are
 * named on after each other (`Serial0/0`, `Serial0/1`, ...).
 */
function dynamipsPorts(properties: Record<string, unknown>): Port[] {
  const ports: Port[] = [];
  const port = (kind: PortKind, adapter: number, portNumber: number, label: number): Port => ({
    name: `${kind}${adapter}/${label}`,
    short_name: `${SHORT_BY_KIND[kind]}${adapter}/${label}`,
    adapter_number: adapter,
    port_number: portNumber,
    link_type: kind.endsWith('Ethernet') ? 'ethernet' : 'serial',
    data_link_types: DLT_BY_KIND[kind],
  });
  let wicLabel = 0;
  for (const key of Object.keys(properties).sort()) {
    const value = properties[key];
    const slot = /^slot(\d)$/.exec(key);
    const wic = /^wic(\d)$/.exec(key);
    if (slot && typeof value === 'string' && ADAPTERS[value]) {
      const { ports: count, kind } = ADAPTERS[value]!;
      for (let p = 0; p < count; p++) ports.push(port(kind, Number(slot[1]), p, p));
    } else if (wic && typeof value === 'string' && WICS[value]) {
      const { ports: count, kind } = WICS[value]!;
      for (let i = 0; i < count; i++) ports.push(port(kind, 0, WIC_PORT_BASE * (Number(wic[1]) + 1) + i, wicLabel++));
    }
  }
  return ports;
}

function standardPorts(node: PortSource): Port[] {
  const p = node.properties;
  const adapters = Number(p.ethernet_adapters ?? p.adapters ?? 1);
  const perAdapter = node.node_type === 'iou' ? 4 : 1;
  const custom = new Map(node.custom_adapters.map((a) => [a.adapter_number, a]));
  const baseMac = typeof p.mac_address === 'string' ? p.mac_address : '';
  const ports: Port[] = [];
  let iface = 0;
  let segment = 0;
  for (let adapter = 0; adapter < adapters; adapter++) {
    const extra = custom.get(adapter);
    for (let port = 0; port < perAdapter; port++) {
      const name =
        extra?.port_name ??
        (adapter === 0 && node.first_port_name ? node.first_port_name : formatPortName(node.port_name_format, iface, segment, adapter));
      const entry = ethernet(name, adapter, port, shortName(name, iface));
      const adapterType = extra?.adapter_type ?? (typeof p.adapter_type === 'string' ? p.adapter_type : '');
      if (adapterType) entry.adapter_type = adapterType;
      const mac = extra?.mac_address ?? (baseMac ? macPlus(baseMac, adapter) : '');
      if (mac) entry.mac_address = mac;
      ports.push(entry);
      iface += 1;
      if (node.port_segment_size > 0) {
        if (iface % node.port_segment_size === 0) {
          segment += 1;
          iface = 0;
        }
      } else {
        segment += 1;
      }
    }
  }
  const serial = Number(p.serial_adapters ?? 0);
  for (let s = 0; s < serial; s++) {
    const adapter = adapters + s;
    for (let port = 0; port < perAdapter; port++) {
      const name = `Serial${adapter}/${port}`;
      ports.push({ name, short_name: `s${adapter}/${port}`, adapter_number: adapter, port_number: port, link_type: 'serial', data_link_types: SERIAL_DLT });
    }
  }
  return ports;
}

/** Computes the ports of a node. */
export function nodePorts(node: PortSource): Port[] {
  switch (node.node_type) {
    case 'vpcs':
    case 'traceng':
      return [ethernet('Ethernet0', 0, 0, 'e0')];
    case 'ethernet_hub':
    case 'ethernet_switch':
      return mappingPorts(node.properties, (_name, index) => `e${index}`);
    case 'cloud':
    case 'nat':
      return mappingPorts(node.properties, (name) => name);
    case 'atm_switch':
      return switchPorts(node.properties, 'ATM');
    case 'frame_relay_switch':
      return switchPorts(node.properties, 'FrameRelay');
    case 'dynamips':
      return dynamipsPorts(node.properties);
    case 'docker': {
      const adapters = Number(node.properties.adapters ?? 1);
      const custom = new Map(node.custom_adapters.map((a) => [a.adapter_number, a]));
      const baseMac = typeof node.properties.mac_address === 'string' ? node.properties.mac_address : '';
      return Array.from({ length: adapters }, (_, n) => {
        const name = custom.get(n)?.port_name ?? `eth${n}`;
        const port = ethernet(name, n, 0, name);
        const mac = custom.get(n)?.mac_address ?? (baseMac ? macPlus(baseMac, n) : '');
        if (mac) port.mac_address = mac;
        return port;
      });
    }
    default:
      return standardPorts(node);
  }
}
