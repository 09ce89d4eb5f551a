/**
 * Where the relay pool puts bridges and fabrics (pure decisions; the pool measures and acts).
 *
 * Each worker thread costs ≈ 12 MiB of RSS (docs/performance.md), and one worker forwards a few hundred thousand
 * frames/s, far more than most labs send. So on the native I/O independent bridges share the running worker while
 * it is not busy; a further worker starts only when a worker has been busy (wanting over half a core) for two samples in a row, and then the
 * busy worker's independent groups (a link's two bridges, a fabric with the bridges on its ports) are split by the
 * traffic they carried and half of it moves there live (their descriptors are handed over, see custody.ts).
 *
 * On the dgram I/O sockets belong to their thread and cannot move, so bridges are spread at creation as before:
 * an empty worker first, then a new one while fewer than the bound run, then the least-loaded.
 */

/** How often the pool reads each worker's CPU demand, while some worker hosts two bridges or more. */
export const SAMPLE_MS = 1000;
/**
 * Share of one core's time above which a worker is busy, counting the time it ran and the time it waited runnable
 * (thread-demand.ts), so a worker saturated on a host full of other work still counts. A worker forwarding a ping lab
 * wants well under 1 %; at half a core it is half-way to saturating, which gives the split time to happen before
 * frames are lost. Two samples in a row are needed, so a burst does not start a thread.
 */
export const BUSY_SHARE = 0.5;
export const BUSY_SAMPLES = 2;
/** When no further worker may start, a busy worker's groups may still move to one that is this quiet. */
export const QUIET_SHARE = 0.1;

export type WorkerState = {
  /** Bridges, fabrics and fabric ports placed there. */
  hosted: number;
  /** Consecutive samples over BUSY_SHARE (0 until sampled). */
  busyFor: number;
  /** CPU demand over the last sample, as a share of one core. */
  share: number;
};

/**
 * The worker for a new bridge or fabric without a link partner: its index, or 'new' to start one. `spread` is the
 * dgram rule (see above); otherwise the least-hosting worker that is not busy, then a new one while fewer than `bound`
 * run, then the least-hosting one.
 */
export function placeNew(workers: WorkerState[], bound: number, spread: boolean): number | 'new' {
  const eligible = spread ? workers.map((w) => w.hosted === 0) : workers.map((w) => w.busyFor === 0);
  const candidate = leastHosting(workers, eligible);
  if (candidate !== -1) return candidate;
  if (workers.length < bound) return 'new';
  return leastHosting(workers, workers.map(() => true));
}

function leastHosting(workers: WorkerState[], eligible: boolean[]): number {
  let best = -1;
  workers.forEach((worker, i) => {
    if (eligible[i] && (best === -1 || worker.hosted < workers[best]!.hosted)) best = i;
  });
  return best;
}

/**
 * Where the groups of busy worker `from` should go: 'new' while fewer than `bound` workers run, else a quiet worker's
 * index, else null (nowhere better).
 */
export function migrationTarget(workers: WorkerState[], from: number, bound: number): number | 'new' | null {
  if (workers.length < bound) return 'new';
  let best: number | null = null;
  workers.forEach((worker, i) => {
    if (i !== from && worker.share < QUIET_SHARE && (best === null || worker.share < workers[best]!.share)) best = i;
  });
  return best;
}

/**
 * Which groups leave a busy worker, given the frames each received over the last sample: the largest stays, each next
 * one (by traffic) joins the lighter side, ties staying. Groups without traffic stay. Nothing moves unless at least two
 * groups carry traffic: one busy link cannot be split.
 */
export function groupsToMove(traffic: number[]): number[] {
  const order = traffic.map((frames, i) => ({ frames, i })).filter((g) => g.frames > 0);
  if (order.length < 2) return [];
  order.sort((a, b) => b.frames - a.frames);
  let stay = 0;
  let move = 0;
  const moving: number[] = [];
  for (const { frames, i } of order) {
    if (move < stay) {
      move += frames;
      moving.push(i);
    } else {
      stay += frames;
    }
  }
  return moving;
}

/** Connected groups of `items` under the symmetric relation `linked` (quadratic: a worker hosts tens of items). */
export function groupsOf<T>(items: T[], linked: (a: T, b: T) => boolean): T[][] {
  const group = items.map((_, i) => i);
  const root = (i: number): number => (group[i] === i ? i : (group[i] = root(group[i]!)));
  for (let i = 0; i < items.length; i++) {
    for (let j = i + 1; j < items.length; j++) if (linked(items[i]!, items[j]!)) group[root(i)] = root(j);
  }
  const groups = new Map<number, T[]>();
  items.forEach((item, i) => {
    const key = root(i);
    const members = groups.get(key);
    if (members) members.push(item);
    else groups.set(key, [item]);
  });
  return [...groups.values()];
}
