/** JSON text as GNS3 writes it (Python `json.dumps(sort_keys=True, indent=4)`), so files diff cleanly against real GNS3. */

function sortKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortKeys);
  if (value !== null && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const key of Object.keys(value).sort()) {
      const item = (value as Record<string, unknown>)[key];
      if (item !== undefined) out[key] = sortKeys(item);
    }
    return out;
  }
  return value;
}

/** Sorted keys, 4-space indent. */
export function toSortedJson(value: unknown, indent = 4): string {
  return JSON.stringify(sortKeys(value), null, indent);
}
