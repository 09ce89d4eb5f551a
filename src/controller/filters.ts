/** Link filters: the definitions offered by `available_filters` and the normalisation GNS3 applies on update. */

export type FilterParameter = { name: string; minimum?: number; maximum?: number; type: 'int' | 'text'; unit?: string };
export type FilterDefinition = { type: string; name: string; description: string; parameters: FilterParameter[] };
export type LinkFilters = Record<string, Array<string | number>>;

export const AVAILABLE_FILTERS: readonly FilterDefinition[] = [
  {
    type: 'frequency_drop',
    name: 'Frequency drop',
    description: 'It will drop everything with a -1 frequency, drop every Nth packet with a positive frequency, or drop nothing',
    parameters: [{ name: 'Frequency', minimum: -1, maximum: 32767, type: 'int', unit: 'th packet' }],
  },
  {
    type: 'packet_loss',
    name: 'Packet loss',
    description: 'The percentage represents the chance for a packet to be lost',
    parameters: [{ name: 'Chance', minimum: 0, maximum: 100, type: 'int', unit: '%' }],
  },
  {
    type: 'delay',
    name: 'Delay',
    description: 'Delay packets in milliseconds. You can add jitter in milliseconds (+/-) of the delay',
    parameters: [
      { name: 'Latency', minimum: 0, maximum: 32767, unit: 'ms', type: 'int' },
      { name: 'Jitter (-/+)', minimum: 0, maximum: 32767, unit: 'ms', type: 'int' },
    ],
  },
  {
    type: 'corrupt',
    name: 'Corrupt',
    description: 'The percentage represents the chance for a packet to be corrupted',
    parameters: [{ name: 'Chance', minimum: 0, maximum: 100, unit: '%', type: 'int' }],
  },
  {
    type: 'bpf',
    name: 'Berkeley Packet Filter (BPF)',
    description: 'This filter will drop any packet matching a BPF expression. Put one expression per line',
    parameters: [{ name: 'Filters', type: 'text' }],
  },
];

/** Node types whose compute side can apply filters (one of them must be an endpoint for filters to exist). */
export const FILTER_CAPABLE_TYPES: ReadonlySet<string> = new Set([
  'vpcs', 'traceng', 'vmware', 'dynamips', 'qemu', 'iou', 'cloud', 'nat', 'virtualbox', 'docker',
]);

/**
 * Normalises filters as GNS3 does: strings lose newlines and spaces at their ends but stay strings, everything
 * else becomes an integer, and a filter whose first value is 0, "" or missing is dropped.
 * @example normalizeFilters({ delay: ['100', 10], packet_loss: [0], bpf: ['icmp\n'] }) // { delay: ['100', 10], bpf: ['icmp'] }
 */
export function normalizeFilters(filters: Record<string, unknown>): LinkFilters {
  const out: LinkFilters = {};
  for (const [type, raw] of Object.entries(filters)) {
    const values = (Array.isArray(raw) ? raw : [raw]).map((value) =>
      typeof value === 'string' ? value.replace(/^[\s\n]+|[\s\n]+$/g, '') : Math.trunc(Number(value)) || 0,
    );
    if (values.length === 0 || values[0] === 0 || values[0] === '') continue;
    out[type] = values;
  }
  return out;
}

/** Filters as pushed to the filter-capable side: a suspended link drops everything. */
export function activeFilters(filters: LinkFilters, suspend: boolean): LinkFilters {
  return suspend ? { frequency_drop: [-1] } : filters;
}
