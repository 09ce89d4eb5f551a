/**
 * Where a native worker waits for its next frame while traffic flows: in `poll()` on every descriptor it reads, called
 * synchronously from the readiness callback that just forwarded a batch, instead of back in the event loop.
 *
 * Why: on the event loop a frame's wake-up goes through epoll in libuv (Node) or a poll thread (Deno), then the FFI's
 * callback into JavaScript, and after the send the loop takes another turn before the thread sleeps again. At 20 000
 * pkt/s on two cores that work delayed each frame by ≈ 20 µs at the median (docs/performance.md, "Native I/O, fourth
 * pass"): the forwarding thread used more CPU per frame, and a sink woken on the same core waited for it. Waiting in
 * `poll()` right after the send, the thread sleeps at once and wakes straight into the next receive. Frames that
 * arrive while the worker is back in its event loop take the slow path (with sessions of at most 10 ms, 1–1.6 % of
 * frames at 20 000 pkt/s, up to half of the slowest 1 %: docs/performance.md, "Native I/O, sixth session"), so a
 * session does not end on a short timer while frames keep coming.
 *
 * The event loop still gets its turn when something needs it:
 * - a control message: the pool rings the worker's doorbell (an eventfd in the poll set, see `doorbell`) whenever it
 *   posts one, and the session ends at once;
 * - a timer that must fire on time (a release queue's, a capture's flush timer) or a control command still waiting on
 *   I/O: no session starts or goes on while one is held (`holdLoop`);
 * - no frame for WAIT_MS: the thread goes back to sleep in epoll (an idle worker burns no CPU: it sleeps in the
 *   kernel either way);
 * - BUDGET_MS at the latest, for whatever else the loop holds (V8's own tasks, a timer nobody announced).
 * One session per event-loop turn.
 */
import { setImmediate } from 'node:timers';
import type { Libc, NativeMemory } from './libc.ts';
import { pollReturned, pollSetBytes, writePollSet } from './layout.ts';

/** How long a session waits for the next frame before handing the thread back to the event loop. */
const WAIT_MS = 2;
/** Longest a session keeps the event loop waiting, frames flowing or not (it was 10 ms before the doorbell). */
const BUDGET_MS = 250;
const EFD_NONBLOCK = 0o4000;
const EFD_CLOEXEC = 0o2000000;

export class Linger {
  #libc: Libc;
  #readers = new Map<number, () => void>();
  #set: NativeMemory;
  #view: DataView;
  /** The readers in pollfd order (after the doorbell at index 0), as of the last rebuild. */
  #order: Array<() => void> = [];
  #changed = false;
  #holds = 0;
  #active = false;
  /** Set when a session ended, until the event loop has run the rest of its turn. */
  #yielded = false;
  #resume = () => {
    this.#yielded = false;
  };
  #doorbell: number;
  /** Where a ring is read into (its count is of no interest). */
  #drained: NativeMemory;

  constructor(libc: Libc) {
    this.#libc = libc;
    this.#set = libc.alloc(pollSetBytes(16));
    this.#view = new DataView(this.#set.bytes.buffer, this.#set.bytes.byteOffset);
    this.#drained = libc.alloc(8);
    this.#doorbell = libc.eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
    if (this.#doorbell < 0) throw new Error(`eventfd failed (errno ${libc.errno()})`);
  }

  /**
   * The eventfd that ends a session when another thread writes an 8-byte count to it. That thread owns it from the
   * worker's first message on and closes it once the worker is gone: the worker never closes it, so its number cannot
   * be reused under a late ring.
   */
  get doorbell(): number {
    return this.#doorbell;
  }

  /** Includes `fd` in the sessions; `read` takes what it has queued (it must not block). */
  add(fd: number, read: () => void): void {
    this.#readers.set(fd, read);
    this.#changed = true;
  }

  delete(fd: number): void {
    if (this.#readers.delete(fd)) this.#changed = true;
  }

  /** Keeps sessions off until the returned function is called (once): something on the event loop must run on time. */
  holdLoop(): () => void {
    this.#holds += 1;
    let held = true;
    return () => {
      if (held) this.#holds -= 1;
      held = false;
    };
  }

  /** Called at the end of a readiness callback that forwarded frames: waits here for more while they keep coming. */
  after(): void {
    if (this.#active || this.#yielded || this.#holds > 0) return;
    this.#active = true;
    const end = performance.now() + BUDGET_MS;
    try {
      for (let left = BUDGET_MS; left > 0 && this.#holds === 0; left = end - performance.now()) {
        if (this.#changed) this.#rebuild();
        if (this.#order.length === 0) return;
        // poll() counts whole milliseconds: the last one may overrun the budget by under 1 ms.
        const ready = this.#libc.poll(this.#set.address, this.#order.length + 1, Math.min(WAIT_MS, Math.ceil(left)));
        if (ready <= 0) return;
        if (pollReturned(this.#view, 0) !== 0) {
          this.#libc.read(this.#doorbell, this.#drained.address, 8);
          return;
        }
        const order = this.#order;
        for (let i = 0; i < order.length; i++) if (pollReturned(this.#view, i + 1) !== 0) order[i]!();
      }
    } finally {
      this.#active = false;
      this.#yielded = true;
      setImmediate(this.#resume);
    }
  }

  #rebuild(): void {
    const fds = [this.#doorbell, ...this.#readers.keys()];
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
