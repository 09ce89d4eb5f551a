/** FIFO locks keyed by string: callers on one key run one at a time, different keys run concurrently. */

export class KeyedLock {
  readonly #tails = new Map<string, Promise<void>>();

  /** Runs `fn` once every earlier call for `key` has settled, in arrival order. */
  async run<T>(key: string, fn: () => Promise<T>): Promise<T> {
    const previous = this.#tails.get(key) ?? Promise.resolve();
    let release!: () => void;
    const current = new Promise<void>((resolve) => (release = resolve));
    const tail = previous.then(() => current);
    this.#tails.set(key, tail);
    await previous;
    try {
      return await fn();
    } finally {
      release();
      if (this.#tails.get(key) === tail) this.#tails.delete(key);
    }
  }

  /** Resolves when every call queued so far on keys starting with `prefix` has settled. */
  async drain(prefix: string): Promise<void> {
    const pending = [...this.#tails].filter(([key]) => key.startsWith(prefix)).map(([, tail]) => tail);
    await Promise.all(pending);
  }

  get size(): number {
    return this.#tails.size;
  }
}

/** Lock key of a node, the same on the controller and on the compute. */
export const nodeLockKey = (projectId: string, nodeId: string): string => `${projectId}:${nodeId}`;

/** Prefix of the node lock keys of a project: closing it drains them. */
export const projectLockPrefix = (projectId: string): string => `${projectId}:`;
