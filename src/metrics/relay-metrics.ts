/**
 * Relay counters for /metrics. The relay only answers `stats` per bridge or fabric port, so this wrapper remembers
 * which ones exist, sums their counters at scrape time, and keeps the last counters of deleted ones so that totals
 * only go down when a crashed worker's bridges restart from zero (which Prometheus treats as a counter reset).
 */
import type { BridgeStats, Relay } from '../relay/types.ts';
import type { Registry } from './registry.ts';

/** What the metrics need from the worker pool beyond the Relay contract. */
export type PoolHealth = { readonly workerCount: number };

type Totals = { packetsIn: number; packetsOut: number; bytesIn: number; bytesOut: number; drops: Map<string, number> };

const emptyTotals = (): Totals => ({ packetsIn: 0, packetsOut: 0, bytesIn: 0, bytesOut: 0, drops: new Map() });

function addStats(totals: Totals, stats: BridgeStats): void {
  totals.packetsIn += stats.packets_in;
  totals.packetsOut += stats.packets_out;
  totals.bytesIn += stats.bytes_in;
  totals.bytesOut += stats.bytes_out;
  for (const [reason, count] of Object.entries(stats.drops)) totals.drops.set(reason, (totals.drops.get(reason) ?? 0) + count);
}

/**
 * Returns a Relay that behaves exactly like `relay` and publishes its counters and the pool's health in `registry`.
 *
 * @example
 * const relay = meteredRelay(await RelayPool.start(), registry, { configuredWorkers: 2 });
 */
export function meteredRelay(relay: Relay & PoolHealth, registry: Registry, options: { configuredWorkers: number }): Relay {
  const bridges = new Set<string>();
  const fabricPorts = new Map<string, Set<number>>();
  const retired = emptyTotals();

  const packets = registry.counter('patchbay_relay_packets_total', 'Packets through relay bridges and fabric ports, by direction (in: from the link, out: towards it).');
  const bytes = registry.counter('patchbay_relay_bytes_total', 'Bytes through relay bridges and fabric ports, by direction.');
  const drops = registry.counter('patchbay_relay_drops_total', 'Packets the relay dropped, by reason (filters, shaping, full queues, send errors).');
  const events = registry.counter('patchbay_relay_events_total', 'Events raised by the relay (worker crashes and restores), by level.');
  registry.gauge('patchbay_relay_bridges', 'Relay bridges (one per connected emulator port).', () => bridges.size);
  registry.gauge('patchbay_relay_fabric_ports', 'Connected ports of hubs and switches hosted by the relay.', () =>
    [...fabricPorts.values()].reduce((sum, ports) => sum + ports.size, 0));
  registry.gauge('patchbay_relay_workers', 'Relay worker threads alive.', () => relay.workerCount);
  registry.gauge('patchbay_relay_workers_configured', 'Most relay worker threads the pool starts (on demand, with the first bridges and fabrics).', () => options.configuredWorkers);

  relay.onEvent((event) => events.inc({ level: event.level }));

  const safeStats = (get: () => Promise<BridgeStats>) => get().catch(() => null);

  registry.collect(async () => {
    const live = emptyTotals();
    const all = await Promise.all([
      ...[...bridges].map((id) => safeStats(() => relay.stats(id))),
      ...[...fabricPorts].flatMap(([id, ports]) => [...ports].map((port) => safeStats(() => relay.fabricStats(id, port)))),
    ]);
    for (const stats of all) if (stats) addStats(live, stats);
    packets.mirror({ direction: 'in' }, retired.packetsIn + live.packetsIn);
    packets.mirror({ direction: 'out' }, retired.packetsOut + live.packetsOut);
    bytes.mirror({ direction: 'in' }, retired.bytesIn + live.bytesIn);
    bytes.mirror({ direction: 'out' }, retired.bytesOut + live.bytesOut);
    for (const reason of new Set([...retired.drops.keys(), ...live.drops.keys()])) {
      drops.mirror({ reason }, (retired.drops.get(reason) ?? 0) + (live.drops.get(reason) ?? 0));
    }
  });

  /** Keeps what a bridge or port counted before it goes away. */
  const retire = async (get: () => Promise<BridgeStats>) => {
    const stats = await safeStats(get);
    if (stats) addStats(retired, stats);
  };

  return {
    async createBridge(id, spec) {
      await relay.createBridge(id, spec);
      bridges.add(id);
    },
    updateBridge: (id, patch) => relay.updateBridge(id, patch),
    async deleteBridge(id) {
      if (bridges.delete(id)) await retire(() => relay.stats(id));
      await relay.deleteBridge(id);
    },
    startCapture: (id, file) => relay.startCapture(id, file),
    stopCapture: (id) => relay.stopCapture(id),
    stats: (id) => relay.stats(id),
    onEvent: (listener) => relay.onEvent(listener),
    async createFabric(id, kind) {
      await relay.createFabric(id, kind);
      fabricPorts.set(id, new Set());
    },
    async setFabricPort(id, port, endpoint, config) {
      const ports = fabricPorts.get(id);
      if (endpoint === null && ports?.has(port)) await retire(() => relay.fabricStats(id, port));
      await relay.setFabricPort(id, port, endpoint, config);
      if (endpoint === null) ports?.delete(port);
      else ports?.add(port);
    },
    async deleteFabric(id) {
      const ports = fabricPorts.get(id);
      fabricPorts.delete(id);
      for (const port of ports ?? []) await retire(() => relay.fabricStats(id, port));
      await relay.deleteFabric(id);
    },
    startFabricCapture: (id, port, file) => relay.startFabricCapture(id, port, file),
    stopFabricCapture: (id, port) => relay.stopFabricCapture(id, port),
    fabricStats: (id, port) => relay.fabricStats(id, port),
    close: () => relay.close(),
  };
}
