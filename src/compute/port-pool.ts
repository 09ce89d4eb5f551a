/** Port pools for consoles (TCP) and UDP tunnels: every port is owned by a project and only handed out after a bind probe. */
import { fail } from '../errors/index.ts';

/** Answers whether nothing else on the host holds `port`; the pool never hands out a port that fails it. */
export type PortProbe = (port: number) => Promise<boolean>;

export class PortPool {
  readonly start: number;
  readonly end: number;
  readonly #probe: PortProbe;
  readonly #owners = new Map<number, string>();
  #cursor: number;

  constructor(range: readonly [number, number], probe: PortProbe) {
    if (range[0] > range[1]) throw new RangeError(`Invalid port range ${range[0]}-${range[1]}`);
    [this.start, this.end] = range;
    this.#probe = probe;
    this.#cursor = this.start;
  }

  /**
   * Allocates the next free port for `owner`. Scanning resumes after the last port handed out so that a
   * port released a moment ago (whose socket may linger) is the last one reused.
   */
  async allocate(owner: string, lowest = this.start): Promise<number> {
    // `lowest`: consoles some clients read as a display number (VNC: port - 5900) must not lie below it.
    const first = Math.max(lowest, this.start);
    const size = this.end - first + 1;
    const cursor = Math.max(this.#cursor, first);
    for (let i = 0; i < size; i++) {
      const port = first + ((cursor - first + i) % size);
      if (this.#owners.has(port)) continue;
      // Claim before the async probe so concurrent allocations never pick the same port.
      this.#owners.set(port, owner);
      if (await this.#probe(port)) {
        this.#cursor = port + 1 > this.end ? this.start : port + 1;
        return port;
      }
      this.#owners.delete(port);
    }
    throw fail('NO_FREE_PORT', first, this.end);
  }

  /** Reserves `wanted` when it is in range, unowned and bindable; otherwise allocates another one, as GNS3 does. */
  async reserve(wanted: number, owner: string, lowest = this.start): Promise<number> {
    if (wanted >= Math.max(lowest, this.start) && wanted <= this.end && !this.#owners.has(wanted)) {
      this.#owners.set(wanted, owner);
      if (await this.#probe(wanted)) return wanted;
      this.#owners.delete(wanted);
    }
    return this.allocate(owner, lowest);
  }

  release(port: number | null | undefined): void {
    if (port != null) this.#owners.delete(port);
  }

  /** Releases every port whose owner starts with `prefix` (a project id, or `project/node`). */
  releaseOwnedBy(prefix: string): void {
    for (const [port, owner] of this.#owners) if (owner.startsWith(prefix)) this.#owners.delete(port);
  }

  isAllocated(port: number): boolean {
    return this.#owners.has(port);
  }

  get allocated(): number[] {
    return [...this.#owners.keys()].sort((a, b) => a - b);
  }
}
