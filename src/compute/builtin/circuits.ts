/**
 * GNS3's Frame Relay and ATM switch `mappings` (no I/O): `{"1:101": "2:202"}` joins port 1 DLCI 101 and port 2 DLCI
 * 202; for ATM `{"1:10:100": "2:20:200"}` is a virtual channel (port:VPI:VCI) and `{"1:10": "2:20"}` a virtual
 * path (port:VPI). A mapping is active while both of its ports are connected, in both directions, and, as in
 * gns3-server, only if neither end is already taken by an earlier mapping.
 */
import type { AtmPortConfig, FrameRelayPortConfig } from '../../relay/types.ts';
import { MAX_DLCI } from '../../relay/switching/frame-relay.ts';
import { MAX_VCI, MAX_VPI } from '../../relay/switching/atm.ts';

export type CircuitKind = 'frame_relay' | 'atm';

/** One end of a mapping: port plus DLCI, or port plus VPI (plus VCI for a virtual channel). */
export type CircuitEnd = { port: number; ids: number[] };

const LIMITS: Record<CircuitKind, number[][]> = {
  frame_relay: [[MAX_DLCI]],
  atm: [[MAX_VPI], [MAX_VPI, MAX_VCI]],
};

/** Parses one side of a mapping, or returns why it is invalid. */
export function parseEnd(kind: CircuitKind, text: string): CircuitEnd | string {
  const example = kind === 'frame_relay' ? '"port:dlci"' : '"port:vpi" or "port:vpi:vci"';
  if (!/^\d+(:\d+){1,2}$/.test(text)) return `"${text}" is not ${example}`;
  const [port, ...ids] = text.split(':').map(Number) as [number, ...number[]];
  const limits = LIMITS[kind].find((l) => l.length === ids.length);
  if (!limits) return `"${text}" is not ${example}`;
  const bad = ids.findIndex((id, i) => id > limits[i]!);
  if (bad >= 0) return `"${text}": ${kind === 'frame_relay' ? 'DLCI' : bad === 0 ? 'VPI' : 'VCI'} ${ids[bad]} is above ${limits[bad]}`;
  return { port, ids };
}

/** Why a mappings object is invalid, or null; both ends of an ATM mapping must be of the same form. */
export function mappingsProblem(kind: CircuitKind, mappings: Record<string, string>): string | null {
  for (const [source, destination] of Object.entries(mappings)) {
    const a = parseEnd(kind, source);
    if (typeof a === 'string') return a;
    const b = parseEnd(kind, destination);
    if (typeof b === 'string') return b;
    if (a.ids.length !== b.ids.length) return `"${source}" and "${destination}" must both be a path or both a channel`;
  }
  return null;
}

/** Active circuits of valid `mappings`, given the connected ports, as both-direction pairs of ends. */
export function activeCircuits(kind: CircuitKind, mappings: Record<string, string>, connected: ReadonlySet<number>): Array<[CircuitEnd, CircuitEnd]> {
  const taken = new Set<string>();
  const active: Array<[CircuitEnd, CircuitEnd]> = [];
  for (const [source, destination] of Object.entries(mappings)) {
    const a = parseEnd(kind, source) as CircuitEnd;
    const b = parseEnd(kind, destination) as CircuitEnd;
    if (!connected.has(a.port) || !connected.has(b.port)) continue;
    const keys = [source, destination].map((end) => end.split(':').map(Number).join(':'));
    if (keys.some((key) => taken.has(key))) continue;
    keys.forEach((key) => taken.add(key));
    active.push([a, b]);
  }
  return active;
}

/** The relay config of every connected port: the circuits leaving from it. */
export function portConfigs(
  kind: CircuitKind,
  mappings: Record<string, string>,
  connected: ReadonlySet<number>,
): Map<number, FrameRelayPortConfig | AtmPortConfig> {
  const configs = new Map<number, FrameRelayPortConfig | AtmPortConfig>();
  for (const port of connected) {
    configs.set(port, kind === 'frame_relay' ? { type: 'frame_relay', vcs: [] } : { type: 'atm', vps: [], vcs: [] });
  }
  for (const [a, b] of activeCircuits(kind, mappings, connected)) {
    for (const [from, to] of [[a, b], [b, a]] as const) {
      const config = configs.get(from.port)!;
      if (config.type === 'frame_relay') config.vcs.push({ dlci: from.ids[0]!, port: to.port, dlciOut: to.ids[0]! });
      else if (from.ids.length === 1) config.vps.push({ vpi: from.ids[0]!, port: to.port, vpiOut: to.ids[0]! });
      else config.vcs.push({ vpi: from.ids[0]!, vci: from.ids[1]!, port: to.port, vpiOut: to.ids[0]!, vciOut: to.ids[1]! });
    }
  }
  return configs;
}
