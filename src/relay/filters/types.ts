/** The shape every link filter has: a small pure function over (frame, direction, now). */

/** Returned by a filter that drops the frame. */
export const DROP = -1;

/** 0: emulator → link, 1: link → emulator. Filters that keep per-direction state index it with this. */
export type Direction = 0 | 1;

export interface PacketFilter {
  /** GNS3 filter type, used as the drop reason in the stats. */
  readonly name: string;
  /**
   * Returns DROP, or the earliest time (ms, the caller's clock) the frame may leave: `now` to pass it at once.
   * May modify the frame in place (corrupt), if `modifiesFrames` says so.
   */
  apply(frame: Uint8Array, dir: Direction, now: number): number;
  /** Set by a filter that may change a frame's bytes: a frame other ports also received must be copied first. */
  readonly modifiesFrames?: true;
}

/** Source of uniform numbers in [0, 1); injected so tests are deterministic. */
export type Random = () => number;

/** Thrown for invalid filter parameters; the message names the filter and the bad value. */
export class FilterError extends Error {
  override name = 'FilterError';
}
