/** FIFO of items with release times (no I/O): frames held back by delay/bandwidth filters leave in arrival order. */

export class ReleaseQueue<T> {
  #items: Array<T | undefined> = [];
  #due: number[] = [];
  #head = 0;

  get size(): number {
    return this.#items.length - this.#head;
  }

  push(item: T, due: number): void {
    this.#items.push(item);
    this.#due.push(due);
  }

  /** Release time of the oldest item, Infinity when empty. A later item never leaves before an earlier one. */
  nextDue(): number {
    return this.size === 0 ? Infinity : this.#due[this.#head]!;
  }

  /** Hands every item at the head whose time has come to `release`, oldest first. */
  drain(now: number, release: (item: T) => void): void {
    while (this.#head < this.#items.length && this.#due[this.#head]! <= now) {
      const item = this.#items[this.#head]!;
      this.#items[this.#head] = undefined;
      this.#head += 1;
      release(item);
    }
    this.#compact();
  }

  /** Empties the queue, returning every item with its release time, oldest first (a bridge moving to another worker). */
  takeAll(): Array<{ item: T; due: number }> {
    const all = [];
    for (let i = this.#head; i < this.#items.length; i++) all.push({ item: this.#items[i]!, due: this.#due[i]! });
    this.clear();
    return all;
  }

  clear(): void {
    this.#items = [];
    this.#due = [];
    this.#head = 0;
  }

  /** Drops released slots once they are the bigger part of the arrays, keeping push/drain amortised O(1). */
  #compact(): void {
    if (this.#head === this.#items.length) {
      this.clear();
    } else if (this.#head > 1024 && this.#head * 2 > this.#items.length) {
      this.#items = this.#items.slice(this.#head);
      this.#due = this.#due.slice(this.#head);
      this.#head = 0;
    }
  }
}
