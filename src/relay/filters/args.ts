/** Parameter parsing shared by the filters: integers within GNS3's ranges, with messages naming the bad value. */
import { FilterError } from './types.ts';

/** Reads `values[index]` as an integer in [min, max]; numeric strings are accepted like the controller sends them. */
export function intArg(
  filter: string,
  values: ReadonlyArray<string | number>,
  index: number,
  min: number,
  max: number,
  fallback?: number,
): number {
  const raw = values[index];
  if (raw === undefined || raw === '') {
    if (fallback !== undefined) return fallback;
    throw new FilterError(`Filter "${filter}" needs value ${index + 1}`);
  }
  const value = typeof raw === 'number' ? raw : Number(String(raw).trim());
  if (!Number.isInteger(value) || value < min || value > max) {
    throw new FilterError(`Filter "${filter}": value "${raw}" must be an integer from ${min} to ${max}`);
  }
  return value;
}
