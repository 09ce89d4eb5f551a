/** Public surface of the relay for the compute and the API. */
export { RelayPool } from './pool.ts';
export type { RelayPoolOptions } from './pool.ts';
export { validateFilters } from './filters/chain.ts';
export type * from './types.ts';
export { RELAY_IO_CHOICES } from './io/types.ts';
export type { RelayIoChoice } from './io/types.ts';
