/** A bridge's filters in order, as run on each frame (built and validated by chain.ts). */
import { DROP } from './types.ts';
import type { Direction, PacketFilter } from './types.ts';

export class FilterChain {
  readonly filters: readonly PacketFilter[];
  /** Whether a filter may change a frame in place (see PacketFilter.modifiesFrames). */
  readonly modifiesFrames: boolean;
  /** Name of the filter that dropped the last frame `run` returned DROP for. */
  dropReason = '';

  constructor(filters: readonly PacketFilter[]) {
    this.filters = filters;
    this.modifiesFrames = filters.some((filter) => filter.modifiesFrames === true);
  }

  /** Runs the filters in order; the first drop wins. Returns DROP or the time the frame may leave (≥ now). */
  run(frame: Uint8Array, dir: Direction, now: number): number {
    let release = now;
    for (const filter of this.filters) {
      const verdict = filter.apply(frame, dir, now);
      if (verdict === DROP) {
        this.dropReason = filter.name;
        return DROP;
      }
      if (verdict > release) release = verdict;
    }
    return release;
  }
}
