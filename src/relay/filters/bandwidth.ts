/**
 * `bandwidth [kbit/s]`: a shaper per direction. Each frame occupies the link for length/rate; it leaves when its
 * transmission would end, so bursts queue instead of being cut. Frames that would wait longer than MAX_BACKLOG_MS
 * are dropped, like a router's full output queue.
 */
import { intArg } from './args.ts';
import { DROP } from './types.ts';
import type { PacketFilter } from './types.ts';

export const MAX_BACKLOG_MS = 100;

export function bandwidth(values: ReadonlyArray<string | number>): PacketFilter {
  const bytesPerMs = intArg('bandwidth', values, 0, 1, 100_000_000) / 8;
  /** Per direction: when the link finishes sending what it already accepted. */
  const busyUntil = [0, 0];
  return {
    name: 'bandwidth',
    apply(frame, dir, now) {
      const start = Math.max(now, busyUntil[dir]!);
      if (start - now > MAX_BACKLOG_MS) return DROP;
      busyUntil[dir] = start + frame.length / bytesPerMs;
      return busyUntil[dir]!;
    },
  };
}
