/** Lookups by id shared by the pool (records) and a worker's host (live bridges and fabrics), with the same errors. */

/** The entry `id` of `map`; throws `<Kind> "<id>" does not exist` when there is none. */
export function existing<T>(map: ReadonlyMap<string, T>, kind: 'Bridge' | 'Fabric', id: string): T {
  const entry = map.get(id);
  if (entry === undefined) throw new Error(`${kind} "${id}" does not exist`);
  return entry;
}

/** Throws `<Kind> "<id>" already exists` when `map` has `id`. */
export function assertNew(map: ReadonlyMap<string, unknown>, kind: 'Bridge' | 'Fabric', id: string): void {
  if (map.has(id)) throw new Error(`${kind} "${id}" already exists`);
}
