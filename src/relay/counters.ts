/** Per-bridge / per-port traffic counters, mutated in place on the hot path and copied out for `stats`. */
import type { BridgeStats } from './types.ts';

export class Counters {
  packetsIn = 0;
  packetsOut = 0;
  bytesIn = 0;
  bytesOut = 0;
  drops: Record<string, number> = {};

  /** Counters continuing from a snapshot (a bridge or port adopted from another worker). */
  static from(stats: BridgeStats): Counters {
    const counters = new Counters();
    counters.packetsIn = stats.packets_in;
    counters.packetsOut = stats.packets_out;
    counters.bytesIn = stats.bytes_in;
    counters.bytesOut = stats.bytes_out;
    counters.drops = { ...stats.drops };
    return counters;
  }

  drop(reason: string): void {
    this.drops[reason] = (this.drops[reason] ?? 0) + 1;
  }

  snapshot(): BridgeStats {
    return {
      packets_in: this.packetsIn,
      packets_out: this.packetsOut,
      bytes_in: this.bytesIn,
      bytes_out: this.bytesOut,
      drops: { ...this.drops },
    };
  }
}
