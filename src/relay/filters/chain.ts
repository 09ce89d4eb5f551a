/** Builds the ordered filter chain of a bridge from GNS3's `filters` object, and validates it without side effects. */
import type { LinkFilters } from '../types.ts';
import { bandwidth } from './bandwidth.ts';
import { bpf } from './bpf.ts';
import { corrupt } from './corrupt.ts';
import { delay } from './delay.ts';
import { frequencyDrop } from './frequency-drop.ts';
import { packetLoss } from './packet-loss.ts';
import { FilterChain } from './filter-chain.ts';
import { FilterError } from './types.ts';
import type { PacketFilter, Random } from './types.ts';

type Factory = (values: ReadonlyArray<string | number>, random: Random) => PacketFilter;

const FACTORIES: Record<string, Factory> = {
  frequency_drop: frequencyDrop,
  packet_loss: packetLoss,
  delay,
  corrupt,
  bpf,
  bandwidth,
};

/** Creates the chain; throws FilterError for an unknown type or bad values. Filters run in the object's key order. */
export function buildFilterChain(filters: LinkFilters, random: Random = Math.random): FilterChain {
  if (filters === null || typeof filters !== 'object' || Array.isArray(filters)) {
    throw new FilterError('Filters must be an object');
  }
  const chain: PacketFilter[] = [];
  for (const [name, values] of Object.entries(filters)) {
    const factory = Object.hasOwn(FACTORIES, name) ? FACTORIES[name] : undefined;
    if (!factory) throw new FilterError(`Unknown filter "${name}"`);
    if (!Array.isArray(values)) throw new FilterError(`Filter "${name}" needs an array of values`);
    chain.push(factory(values, random));
  }
  return new FilterChain(chain);
}

/** Pure validation for the API: the error message (answer 400 with it) or null when the filters are acceptable. */
export function validateFilters(filters: LinkFilters): string | null {
  try {
    buildFilterChain(filters);
    return null;
  } catch (error) {
    if (error instanceof FilterError) return error.message;
    throw error;
  }
}
