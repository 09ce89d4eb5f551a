/** MAC learning table per VLAN with ageing (no I/O; time is passed in, in ms). */

/** Default ageing time of a learnt address (the usual 300 s of Ethernet switches). */
export const DEFAULT_AGEING_MS = 300_000;
/** Bound on learnt addresses per switch, so a MAC flood cannot grow memory without limit. */
export const DEFAULT_CAPACITY = 16_384;

type Entry = { port: number; seen: number };

/** Reads the 48-bit address at `offset` as a number (exact: below 2^53). */
export function macAt(frame: Uint8Array, offset: number): number {
  return (
    ((frame[offset]! << 8) | frame[offset + 1]!) * 2 ** 32 +
    ((frame[offset + 2]! << 24) >>> 0) +
    ((frame[offset + 3]! << 16) | (frame[offset + 4]! << 8) | frame[offset + 5]!)
  );
}

/** Group (multicast/broadcast) addresses have the low bit of the first byte set. */
export const isGroupAddress = (frame: Uint8Array, offset: number): boolean => (frame[offset]! & 1) === 1;

export class MacTable {
  #vlans = new Map<number, Map<number, Entry>>();
  #size = 0;
  readonly ageingMs: number;
  readonly capacity: number;

  constructor(ageingMs = DEFAULT_AGEING_MS, capacity = DEFAULT_CAPACITY) {
    this.ageingMs = ageingMs;
    this.capacity = capacity;
  }

  get size(): number {
    return this.#size;
  }

  /** Records that `mac` was seen on `port` in `vlan` (moves it if it was learnt elsewhere). */
  learn(vlan: number, mac: number, port: number, now: number): void {
    let table = this.#vlans.get(vlan);
    if (!table) this.#vlans.set(vlan, (table = new Map()));
    const entry = table.get(mac);
    if (entry) {
      entry.port = port;
      entry.seen = now;
      return;
    }
    if (this.#size >= this.capacity) {
      this.expire(now);
      if (this.#size >= this.capacity) return;
    }
    table.set(mac, { port, seen: now });
    this.#size += 1;
  }

  /** The port `mac` was last seen on in `vlan`, or -1 if unknown or aged out. */
  lookup(vlan: number, mac: number, now: number): number {
    const table = this.#vlans.get(vlan);
    const entry = table?.get(mac);
    if (!entry) return -1;
    if (now - entry.seen > this.ageingMs) {
      table!.delete(mac);
      this.#size -= 1;
      return -1;
    }
    return entry.port;
  }

  /** Forgets everything learnt on a port (it was disconnected or reconfigured). */
  forgetPort(port: number): void {
    this.#sweep((entry) => entry.port === port);
  }

  /** Removes aged-out entries. */
  expire(now: number): void {
    this.#sweep((entry) => now - entry.seen > this.ageingMs);
  }

  #sweep(doomed: (entry: Entry) => boolean): void {
    for (const table of this.#vlans.values()) {
      for (const [mac, entry] of table) {
        if (doomed(entry)) {
          table.delete(mac);
          this.#size -= 1;
        }
      }
    }
  }
}
