/**
 * `bpf ["expr1\nexpr2…"]`: drops frames matching any of the expressions (one per non-empty line), written in the
 * pcap subset documented in bpf-parser.ts. Invalid expressions are rejected (uBridge ignored them with a warning).
 */
import { compileBpf } from './bpf-matcher.ts';
import { parseBpf } from './bpf-parser.ts';
import { DROP, FilterError } from './types.ts';
import type { PacketFilter } from './types.ts';

export function bpf(values: ReadonlyArray<string | number>): PacketFilter {
  const lines = values.flatMap((value) => {
    if (typeof value !== 'string') throw new FilterError(`Filter "bpf": value "${value}" must be a string`);
    return value.split('\n').map((line) => line.trim()).filter((line) => line !== '');
  });
  const matchers = lines.map((line) => compileBpf(parseBpf(line)));
  return {
    name: 'bpf',
    apply(frame, _dir, now) {
      for (const matches of matchers) if (matches(frame)) return DROP;
      return now;
    },
  };
}
