/**
 * Where a native worker waits for its next frame while traffic flows: in `poll()` on every descriptor it reads, called
 * synchronously from the readiness callback that just forwarded a batch, instead of back in the event loop.
 *
 * Why: on the event loop a frame's wake-up goes through epoll in libuv (Node) or a poll thread (Deno), then the FFI's
 * callback into JavaScript, and after the send the loop takes another turn before the thread sleeps again. At 20 000
 * pkt/s on two cores that work delayed each frame by ≈ 20 µs at the median (docs/performance.md, "Native I/O, fourth
 * pass"): the forwarding thread used more CPU per frame, and a sink woken on the same core waited for it. Waiting in
 * `poll()` right after the send, the thread sleeps at once and wakes straight into the next receive.
 *
 * The event loop still gets its turn: a session ends when no frame came for WAIT_MS (nothing burns CPU while idle:
 * the thread sleeps in the kernel), after BUDGET_MS at the latest (control messages, the capture's flush timer and
 * exit requests wait at most that long), and never starts or goes on while a timer that must fire on time is armed
 * (a release queue's; see `timerArmed`). One session per event-loop turn.
 */
import { setImmediate } from 'node:timers';
import type { Libc, NativeMemory } from './libc.ts';
import { pollReturned, pollSetBytes, writePollSet } from './layout.ts';

/** How long a session waits for the next frame before handing the thread back to the event loop. */
const WAIT_MS = 2;
/** Longest a session keeps the event loop waiting, frames flowing or not. */
const BUDGET_MS = 10;

export class Linger {
  #libc: Libc;
  #readers = new Map<number, () => void>();
  #set: NativeMemory;
  #view: DataView;
  /** The readers in pollfd order, as of the last rebuild. */
  #order: Array<() => void> = [];
  #changed = false;
  #timers = 0;
  #active = false;
  /** Set when a session ended, until the event loop has run the rest of its turn. */
  #yielded = false;
  #resume = () => {
    this.#yielded = false;
  };

  constructor(libc: Libc) {
    this.#libc = libc;
    this.#set = libc.alloc(pollSetBytes(16));
    this.#view = new DataView(this.#set.bytes.buffer, this.#set.bytes.byteOffset);
  }

  /** Includes `fd` in the sessions; `read` takes what it has queued (it must not block). */
  add(fd: number, read: () => void): void {
    this.#readers.set(fd, read);
    this.#changed = true;
  }

  delete(fd: number): void {
    if (this.#readers.delete(fd)) this.#changed = true;
  }

  /** Counts a timer that must fire on time until the returned function is called (once). */
  timerArmed(): () => void {
    this.#timers += 1;
    let armed = true;
    return () => {
      if (armed) this.#timers -= 1;
      armed = false;
    };
  }

  /** Called at the end of a readiness callback that forwarded frames: waits here for more while they keep coming. */
  after(): void {
    if (this.#active || this.#yielded || this.#timers > 0) return;
    this.#active = true;
    const end = performance.now() + BUDGET_MS;
    try {
      for (let left = BUDGET_MS; left > 0 && this.#timers === 0; left = end - performance.now()) {
        if (this.#changed) this.#rebuild();
        if (this.#order.length === 0) return;
        // poll() counts whole milliseconds: the last one may overrun the budget by under 1 ms.
        const ready = this.#libc.poll(this.#set.address, this.#order.length, Math.min(WAIT_MS, Math.ceil(left)));
        if (ready <= 0) return;
        const order = this.#order;
        for (let i = 0; i < order.length; i++) if (pollReturned(this.#view, i) !== 0) order[i]!();
      }
    } finally {
      this.#active = false;
      this.#yielded = true;
      setImmediate(this.#resume);
    }
  }

  #rebuild(): void {
    const fds = [...this.#readers.keys()];
    if (this.#set.bytes.byteLength < pollSetBytes(fds.length)) {
      this.#libc.free(this.#set);
      this.#set = this.#libc.alloc(pollSetBytes(fds.length * 2));
      this.#view = new DataView(this.#set.bytes.buffer, this.#set.bytes.byteOffset);
    }
    writePollSet(this.#set, fds);
    this.#order = [...this.#readers.values()];
    this.#changed = false;
  }
}
