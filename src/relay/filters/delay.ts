/**
 * `delay [latency_ms, jitter_ms]`: the frame may leave at now + latency ± jitter (uniform). The bridge holds it in a
 * timestamped queue instead of sleeping, so a delayed link keeps its throughput.
 */
import { intArg } from './args.ts';
import type { PacketFilter, Random } from './types.ts';

export function delay(values: ReadonlyArray<string | number>, random: Random): PacketFilter {
  const latency = intArg('delay', values, 0, 0, 32767);
  const jitter = intArg('delay', values, 1, 0, 32767, 0);
  return {
    name: 'delay',
    apply(_frame, _dir, now) {
      const offset = jitter === 0 ? 0 : (random() * 2 - 1) * jitter;
      return now + Math.max(0, latency + offset);
    },
  };
}
