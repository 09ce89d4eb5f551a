/**
 * Descriptors in flight between two relay workers while bridges and fabrics move (native I/O only). A worker that
 * detaches an endpoint stops owning its descriptor and deposits it here in the same synchronous step; the adopting
 * worker claims it with a compare-and-swap. So at every instant a descriptor belongs to exactly one of: a worker's
 * open set (closed by that worker if it dies, see NativeIo.abandon) or this shared array (closed by whoever the pool
 * asks to `sweep` it after a failed move). Nothing is closed twice, and nothing is left open.
 *
 * Layout: [0] is the next free index, [1..] hold descriptors; -1 marks a free or claimed entry.
 */

export type Custody = Int32Array;

const EMPTY = -1;

/** Room for `descriptors` descriptors. */
export function newCustody(descriptors: number): Custody {
  const custody = new Int32Array(new SharedArrayBuffer(4 * (descriptors + 1)));
  custody.fill(EMPTY, 1);
  custody[0] = 1;
  return custody;
}

/** Hands `fd` over; returns where it sits. Throws if the pool sized the custody too small (a pool bug). */
export function deposit(custody: Custody, fd: number): number {
  const at = Atomics.add(custody, 0, 1);
  if (at >= custody.length) throw new RangeError('Relay custody is full');
  Atomics.store(custody, at, fd);
  return at;
}

/** Takes `fd` back from index `at`; false when it is not there any more (already claimed or swept). */
export function claim(custody: Custody, at: number, fd: number): boolean {
  return Atomics.compareExchange(custody, at, fd, EMPTY) === fd;
}

/** Takes every descriptor nobody claimed, for the caller to close. */
export function unclaimed(custody: Custody): number[] {
  const fds: number[] = [];
  for (let at = 1; at < custody.length; at++) {
    const fd = Atomics.exchange(custody, at, EMPTY);
    if (fd !== EMPTY) fds.push(fd);
  }
  return fds;
}
