/**
 * Bounds password guessing: after 5 failed logins for one user name (from any address) or from one address (for any
 * name), further attempts are refused for a delay that doubles with each further failure, from 1 s up to 5 min. A
 * success clears the user name's count. Entries are forgotten 15 min after their last failure. Pure: time is given.
 */

const FREE_FAILURES = 5;
const FIRST_DELAY_MS = 1000;
const MAX_DELAY_MS = 5 * 60_000;
const FORGET_MS = 15 * 60_000;
/** Bounds memory under a spray of distinct names or addresses. */
const MAX_ENTRIES = 10_000;

type Entry = { failures: number; last: number };

export class LoginThrottle {
  readonly #entries = new Map<string, Entry>();

  static delayAfter(failures: number): number {
    if (failures < FREE_FAILURES) return 0;
    return Math.min(MAX_DELAY_MS, FIRST_DELAY_MS * 2 ** (failures - FREE_FAILURES));
  }

  #keys(username: string, address: string): string[] {
    return [`user:${username}`, `addr:${address}`];
  }

  /** Milliseconds the caller must still wait before trying again (0: go ahead). */
  retryAfter(username: string, address: string, now: number): number {
    let wait = 0;
    for (const key of this.#keys(username, address)) {
      const entry = this.#entries.get(key);
      if (!entry) continue;
      if (now - entry.last > FORGET_MS) {
        this.#entries.delete(key);
        continue;
      }
      wait = Math.max(wait, entry.last + LoginThrottle.delayAfter(entry.failures) - now);
    }
    return Math.max(0, wait);
  }

  failed(username: string, address: string, now: number): void {
    if (this.#entries.size >= MAX_ENTRIES) this.#prune(now);
    for (const key of this.#keys(username, address)) {
      const entry = this.#entries.get(key) ?? { failures: 0, last: now };
      entry.failures += 1;
      entry.last = now;
      this.#entries.delete(key);
      this.#entries.set(key, entry);
    }
  }

  succeeded(username: string): void {
    this.#entries.delete(`user:${username}`);
  }

  #prune(now: number): void {
    for (const [key, entry] of this.#entries) if (now - entry.last > FORGET_MS) this.#entries.delete(key);
    // Still full: drop the oldest (Map keeps insertion order and failed() re-inserts on update).
    for (const key of this.#entries.keys()) {
      if (this.#entries.size < MAX_ENTRIES) break;
      this.#entries.delete(key);
    }
  }
}
