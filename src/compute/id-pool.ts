/**
 * Small numbers a driver hands to its nodes, lowest free first, per scope (a project, or '' for the whole agent):
 * VPCS MAC ids, QEMU guest CIDs, Dynamips router ids.
 *
 * @example
 * const macIds = new IdPool({ first: 0, last: 254 }, { exhausted: () => fail('VPCS_LIMIT', 255) });
 * const node = await macIds.lend(project.id, (macId) => VpcsNode.create({ ...init, macId }, body));
 */
export type IdPoolErrors = {
  /** Every id of the scope is in use (pools with a `last` id). */
  exhausted?: () => Error;
  /** The id asked for is in use (only pools that accept wanted ids). */
  taken?: (id: number) => Error;
};

export class IdPool {
  readonly #used = new Map<string, Set<number>>();
  readonly #first: number;
  readonly #last: number;
  readonly #errors: IdPoolErrors;

  constructor(range: { first: number; last?: number }, errors: IdPoolErrors = {}) {
    this.#first = range.first;
    this.#last = range.last ?? Number.MAX_SAFE_INTEGER;
    this.#errors = errors;
  }

  /** Takes `wanted` (checked by the caller's schema, refused here only when in use), else the lowest free id. */
  take(scope: string, wanted?: number | null): number {
    const used = this.#used.get(scope) ?? new Set<number>();
    this.#used.set(scope, used);
    if (wanted != null) {
      if (used.has(wanted)) throw this.#errors.taken?.(wanted) ?? new RangeError(`Id ${wanted} is in use`);
      used.add(wanted);
      return wanted;
    }
    for (let id = this.#first; id <= this.#last; id++) {
      if (!used.has(id)) {
        used.add(id);
        return id;
      }
    }
    throw this.#errors.exhausted?.() ?? new RangeError(`No free id between ${this.#first} and ${this.#last}`);
  }

  release(scope: string, id: number): void {
    this.#used.get(scope)?.delete(id);
  }

  /** Forgets every id of `scope` (its project is gone). */
  clear(scope: string): void {
    this.#used.delete(scope);
  }

  /** Runs `task` with an id taken for it, and gives the id back if the task fails. */
  async lend<T>(scope: string, task: (id: number) => Promise<T>, wanted?: number | null): Promise<T> {
    const id = this.take(scope, wanted);
    try {
      return await task(id);
    } catch (err) {
      this.release(scope, id);
      throw err;
    }
  }
}
