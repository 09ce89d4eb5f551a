/** `frequency_drop [N]`: −1 drops everything, 0 passes everything, N drops every N-th frame (one counter, both directions). */
import { intArg } from './args.ts';
import { DROP } from './types.ts';
import type { PacketFilter } from './types.ts';

export function frequencyDrop(values: ReadonlyArray<string | number>): PacketFilter {
  const every = intArg('frequency_drop', values, 0, -1, 32767);
  let seen = 0;
  return {
    name: 'frequency_drop',
    apply(_frame, _dir, now) {
      if (every === -1) return DROP;
      if (every === 0) return now;
      seen += 1;
      if (seen < every) return now;
      seen = 0;
      return DROP;
    },
  };
}
