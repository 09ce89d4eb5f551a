/**
 * The relay as a tinypool worker pool. The main thread owns the spec of every bridge and fabric (the source of truth),
 * starts worker threads only when a bridge or fabric needs one, places each bridge/fabric (placement.ts), moves busy
 * groups to another worker live (native I/O), and re-creates a dead worker's bridges and fabrics on a fresh one.
 * Packets never cross the main thread: each worker talks to it only through a MessagePort carrying control messages.
 */
import { availableParallelism } from 'node:os';
import process from 'node:process';
import { MessageChannel } from 'node:worker_threads';
import type { MessagePort } from 'node:worker_threads';
import Tinypool from 'tinypool';
import { PatchbayError } from '../errors/index.ts';
import { assertNew, existing } from './by-id.ts';
import { newCustody } from './custody.ts';
import type { Custody } from './custody.ts';
import { openDoorbell } from './doorbell.ts';
import type { Doorbell } from './doorbell.ts';
import { newReleaseSignal, releaseBeforeExit } from './exit-release.ts';
import { threadDemandSeconds } from './thread-demand.ts';
import type { ReleaseSignal } from './exit-release.ts';
import type { ErrorCode } from '../errors/index.ts';
import type { RelayIoChoice } from './io/types.ts';
import type { RelayIoName } from './io/types.ts';
import { BUSY_SAMPLES, BUSY_SHARE, SAMPLE_MS, groupsOf, groupsToMove, migrationTarget, placeNew } from './placement.ts';
import type { Command, Handovers, Reply, WorkerMessage } from './protocol.ts';
import type {
  BridgePatch,
  BridgeSpec,
  BridgeStats,
  FabricKind,
  FabricPortConfig,
  Relay,
  RelayEvent,
  UdpEndpoint,
} from './types.ts';

/**
 * Most relay threads by default: one per core, at most 4. Each thread is a V8 isolate costing 11–14 MiB of RSS
 * (compiled build, docs/performance.md), while one native-I/O worker forwards ~400k frames/s per core it gets
 * (1.6–2.6 µs of CPU per frame): four already outrun what the emulators of one host send. `--relay-workers` overrides it.
 */
export const defaultRelayWorkers = (): number => Math.min(availableParallelism(), 4);

export type RelayPoolOptions = {
  /** Most relay threads the pool runs at once, started as bridges and fabrics need them; default `defaultRelayWorkers()`. */
  workers?: number;
  /** I/O backend of every worker (default `auto`: native where the FFI loads, else dgram). */
  io?: RelayIoChoice;
};

/** A request could not complete because its worker died; the pool re-creates the worker's state elsewhere. */
class WorkerDiedError extends Error {
  override name = 'WorkerDiedError';
}

type Pending = { resolve: (result: unknown) => void; reject: (error: Error) => void };

/** One relay thread as seen from the main thread. */
type Slot = {
  port: MessagePort;
  pending: Map<number, Pending>;
  seq: number;
  /** Bridges plus fabric ports (and one per fabric) placed on this worker. */
  load: number;
  alive: boolean;
  /** Set by the worker's hello; until then commands wait in the MessagePort's queue. */
  threadId: number | null;
  /** The kernel's thread id (hello), whose CPU demand the placement samples; null where there is no /proc. */
  tid: number | null;
  release: ReleaseSignal;
  /** Rung after every message to a native worker (doorbell.ts); null before its hello and on the dgram backend. */
  doorbell: Doorbell | null;
  /**
   * CPU demand (run + runnable wait, thread-demand.ts) at the last sample; share of a core since the one before;
   * consecutive busy samples (placement.ts).
   */
  demand: { seconds: number; at: number } | null;
  share: number;
  busyFor: number;
  /** Frames received per bridge/fabric id at the last sample while busy (to weigh its groups over one sample). */
  traffic: Record<string, number> | null;
};

/** What a freshly started worker reports (logged by the daemon). */
export type WorkerStart = { threadId: number; tid: number | null; io: RelayIoName; fallback: string | null; workers: number };

type Placement = {
  slot: Slot;
  /**
   * Settles once the bridge/fabric is live on its current worker (after a crash: once it has been re-created; while it
   * moves: once it has been adopted). Commands wait for it, so they reach the worker that holds it.
   */
  ready: Promise<void>;
  /** Commands sent and not yet answered: a move waits for them before detaching. */
  inflight: Set<Promise<unknown>>;
  /** While it moves: the custody holding its descriptors, swept before a rebuild if a worker dies meanwhile. */
  custody: Custody | null;
};

/** A new record's placement fields: live at once, no command in flight, not moving. */
const placed = () => ({ ready: Promise.resolve(), inflight: new Set<Promise<unknown>>(), custody: null });

/** Bridges count one, fabrics one plus one per connected port (a worker's `load`). */
const loadOf = (record: BridgeRecord | FabricRecord): number => ('spec' in record ? 1 : 1 + record.ports.size);

/** What placement.ts weighs of a worker. */
const workerState = (slot: Slot) => ({ hosted: slot.load, busyFor: slot.busyFor, share: slot.share });

type BridgeRecord = Placement & { spec: BridgeSpec; capture: string | null };

type FabricPortRecord = { endpoint: UdpEndpoint; config: FabricPortConfig | undefined; capture: string | null };

type FabricRecord = Placement & { kind: FabricKind; ports: Map<number, FabricPortRecord> };

/**
 * The compiled build (dist/, plain `node`) loads the compiled worker directly. From sources, a .mjs entry lets Node
 * load it without hooks and brings in worker.ts (see the entry for how).
 */
const WORKER_FILE = new URL(import.meta.url.endsWith('.js') ? './worker.js' : './worker-entry.mjs', import.meta.url).href;

/** What the pool can tell without resolving names; the worker decides on the resolved address. */
const isLoopback = (host: string): boolean => host.startsWith('127.') || host === '::1' || host === 'localhost';

/** Whether two NIOs are the two ends of one link on this host (one points at the other's lport on loopback). */
const linkedEndpoints = (a: UdpEndpoint, b: UdpEndpoint): boolean =>
  (isLoopback(a.rhost) && a.rport === b.lport) || (isLoopback(b.rhost) && b.rport === a.lport);

/** A bridge or fabric as the placement sees it: its link-side endpoints. */
type Hosted = { id: string; record: BridgeRecord | FabricRecord; endpoints: UdpEndpoint[] };

/**
 * A bind can race the release of a socket that held the port a moment ago: a dead worker's sockets when restoring,
 * and (seen under Deno, about one start in four) the port pool's bind probe. Retry it briefly.
 */
const RESTORE_ATTEMPTS = 20;
const RESTORE_RETRY_MS = 50;

export class RelayPool implements Relay {
  #tinypool: Tinypool;
  #bound: number;
  #slots: Slot[] = [];
  #bridges = new Map<string, BridgeRecord>();
  #fabrics = new Map<string, FabricRecord>();
  #listeners: Array<(event: RelayEvent) => void> = [];
  #startListeners: Array<(start: WorkerStart) => void> = [];
  #closing = false;
  #ioChoice: RelayIoChoice;
  #ioName: RelayIoName | null = null;
  #ioFallback: string | null = null;
  /** Samples the workers' CPU demand (placement.ts); runs only while a move could help, see `#updateSampler`. */
  #sampler: ReturnType<typeof setInterval> | null = null;
  #moving = false;

  /** If the process exits with workers running, they close their native descriptors first (see exit-release.ts). */
  #releaseOnExit = () => {
    const alive = this.#slots.filter((slot) => slot.alive);
    // Rung once asked: a worker waiting for frames outside its event loop then sees the request at once.
    releaseBeforeExit(alive.map((slot) => slot.release), () => alive.forEach((slot) => slot.doorbell?.ring()));
  };

  private constructor(tinypool: Tinypool, io: RelayIoChoice, bound: number) {
    this.#tinypool = tinypool;
    this.#ioChoice = io;
    this.#bound = bound;
    process.on('exit', this.#releaseOnExit);
  }

  /**
   * Makes the pool; no thread starts until the first bridge or fabric is created (an idle agent holds no relay
   * isolate). Async for the callers' sake: it resolves at once.
   */
  static async start(options: RelayPoolOptions = {}): Promise<RelayPool> {
    const workers = options.workers ?? defaultRelayWorkers();
    if (!Number.isInteger(workers) || workers < 1) throw new RangeError(`Invalid relay worker count "${workers}"`);
    const tinypool = new Tinypool({
      filename: WORKER_FILE,
      minThreads: 0,
      // Headroom: a thread that exits without an 'error' event stays counted by tinypool until its task settles.
      maxThreads: workers * 2,
      concurrentTasksPerWorker: 1,
      // Workers own sockets and live as long as the pool: no recycling, and no Atomics.wait parking their event loop.
      isolateWorkers: false,
      useAtomics: false,
    });
    return new RelayPool(tinypool, options.io ?? 'auto', workers);
  }

  /** Worker threads running now (0 until the first bridge or fabric), at most `maxWorkers`. */
  get workerCount(): number {
    return this.#slots.length;
  }

  get maxWorkers(): number {
    return this.#bound;
  }

  /**
   * The I/O backend the workers opened, and why `auto` fell back to dgram (null when it did not); null before the
   * first worker has started.
   */
  get io(): { name: RelayIoName; fallback: string | null } | null {
    return this.#ioName === null ? null : { name: this.#ioName, fallback: this.#ioFallback };
  }

  /** Told each time a worker thread has started and opened its I/O. */
  onWorkerStart(listener: (start: WorkerStart) => void): void {
    this.#startListeners.push(listener);
  }

  /** Thread id of the worker hosting a bridge or fabric (diagnostics and tests). */
  threadOf(id: string): number | null {
    return (this.#bridges.get(id) ?? this.#fabrics.get(id))?.slot.threadId ?? null;
  }

  onEvent(listener: (event: RelayEvent) => void): void {
    this.#listeners.push(listener);
  }

  async createBridge(id: string, spec: BridgeSpec): Promise<void> {
    assertNew(this.#bridges, 'Bridge', id);
    const copy = structuredClone(spec);
    const slot = this.#linkPartner(copy) ?? this.#place();
    slot.load += 1;
    try {
      await this.#retryBusy(() => this.#request(slot, { op: 'createBridge', id, spec: copy }));
    } catch (error) {
      slot.load -= 1;
      throw error;
    }
    this.#bridges.set(id, { spec: copy, slot, capture: null, ...placed() });
    this.#updateSampler();
  }

  async updateBridge(id: string, patch: BridgePatch): Promise<void> {
    const record = this.#record(id);
    const previous = record.spec;
    record.spec = { ...previous, ...structuredClone(patch) };
    try {
      await this.#onPlaced(record, { op: 'updateBridge', id, patch });
    } catch (error) {
      record.spec = previous;
      throw error;
    }
  }

  async deleteBridge(id: string): Promise<void> {
    const record = this.#record(id);
    this.#bridges.delete(id);
    await this.#gone(record, { op: 'deleteBridge', id });
  }

  async startCapture(id: string, file: string): Promise<void> {
    const record = this.#record(id);
    if (record.capture !== null) throw new Error(`Packet capture is already active on bridge "${id}"`);
    await this.#onPlaced(record, { op: 'startCapture', id, file, append: false }, () => (record.capture = file));
  }

  async stopCapture(id: string): Promise<void> {
    const record = this.#record(id);
    if (record.capture === null) return;
    record.capture = null;
    await this.#onPlaced(record, { op: 'stopCapture', id });
  }

  async stats(id: string): Promise<BridgeStats> {
    return (await this.#onPlaced(this.#record(id), { op: 'stats', id })) as BridgeStats;
  }

  async createFabric(id: string, kind: FabricKind): Promise<void> {
    assertNew(this.#fabrics, 'Fabric', id);
    const slot = this.#place();
    slot.load += 1;
    try {
      await this.#request(slot, { op: 'createFabric', id, kind });
    } catch (error) {
      slot.load -= 1;
      throw error;
    }
    this.#fabrics.set(id, { kind, slot, ports: new Map(), ...placed() });
    this.#updateSampler();
  }

  async setFabricPort(id: string, port: number, endpoint: UdpEndpoint | null, config?: FabricPortConfig): Promise<void> {
    const record = this.#fabric(id);
    const command: Command = { op: 'setFabricPort', id, port, endpoint: structuredClone(endpoint) };
    if (config) command.config = structuredClone(config);
    await this.#onPlaced(record, command, () => {
      const previous = record.ports.get(port);
      if (command.endpoint === null) {
        if (previous) record.slot.load -= 1;
        record.ports.delete(port);
      } else {
        if (!previous) record.slot.load += 1;
        record.ports.set(port, { endpoint: command.endpoint, config: command.config, capture: previous?.capture ?? null });
      }
    });
    this.#updateSampler();
  }

  async deleteFabric(id: string): Promise<void> {
    const record = this.#fabric(id);
    this.#fabrics.delete(id);
    await this.#gone(record, { op: 'deleteFabric', id });
  }

  async startFabricCapture(id: string, port: number, file: string): Promise<void> {
    const record = this.#fabric(id);
    const portRecord = this.#fabricPort(record, id, port);
    if (portRecord.capture !== null) throw new Error(`Packet capture is already active on port ${port}`);
    await this.#onPlaced(record, { op: 'startFabricCapture', id, port, file, append: false }, () => (portRecord.capture = file));
  }

  async stopFabricCapture(id: string, port: number): Promise<void> {
    const record = this.#fabric(id);
    const portRecord = record.ports.get(port);
    if (!portRecord || portRecord.capture === null) return;
    portRecord.capture = null;
    await this.#onPlaced(record, { op: 'stopFabricCapture', id, port });
  }

  async fabricStats(id: string, port: number): Promise<BridgeStats> {
    const record = this.#fabric(id);
    this.#fabricPort(record, id, port);
    return (await this.#onPlaced(record, { op: 'fabricStats', id, port })) as BridgeStats;
  }

  /**
   * Fault injection for tests: makes the worker hosting bridge or fabric `id` die of an uncaught error, then waits
   * until the pool has re-created it on a new worker.
   */
  async injectWorkerCrash(id: string): Promise<void> {
    const record = this.#bridges.get(id) ?? this.#fabric(id);
    const slot = record.slot;
    // The reply and the thread's death travel on different channels: the death may be seen first.
    await this.#request(slot, { op: 'crash' }).catch((error: unknown) => {
      if (!(error instanceof WorkerDiedError)) throw error;
    });
    while (record.slot === slot) await new Promise((resolve) => setTimeout(resolve, 10));
    await record.ready;
  }

  /**
   * Moves the group of bridge or fabric `id` (with its link partners and fabric ports) to another worker now, a new
   * one while fewer than the bound run: what the sampler does when a worker is busy, for tests and diagnostics.
   * Resolves with the thread id it went to, null if it could not move now (nowhere to go, or a move in progress); the
   * native I/O only (dgram sockets cannot move).
   */
  async rebalance(id: string): Promise<number | null> {
    const record = this.#bridges.get(id) ?? this.#fabric(id);
    if (!this.#movable()) throw new Error('Relay bridges can move between workers on the native I/O only');
    const from = record.slot;
    const group = this.#groupsOn(from).find((members) => members.some((member) => member.record === record))!;
    const target = migrationTarget(this.#slots.map(workerState), this.#slots.indexOf(from), this.#bound);
    if (target === null || this.#moving) return null;
    this.#moving = true;
    try {
      await this.#move(from, group, target);
    } finally {
      this.#moving = false;
    }
    return record.slot.threadId;
  }

  /** Closes every bridge and capture, then ends the worker threads. */
  async close(): Promise<void> {
    if (this.#closing) return;
    this.#closing = true;
    this.#updateSampler();
    await Promise.allSettled(this.#slots.filter((slot) => slot.alive).map((slot) => this.#request(slot, { op: 'shutdown' })));
    this.#bridges.clear();
    this.#fabrics.clear();
    await this.#tinypool.destroy();
    process.off('exit', this.#releaseOnExit);
  }

  #emit(event: RelayEvent): void {
    for (const listener of this.#listeners) listener(event);
  }

  #record(id: string): BridgeRecord {
    return existing(this.#bridges, 'Bridge', id);
  }

  #fabric(id: string): FabricRecord {
    return existing(this.#fabrics, 'Fabric', id);
  }

  #fabricPort(record: FabricRecord, id: string, port: number): FabricPortRecord {
    const portRecord = record.ports.get(port);
    if (!portRecord) throw new Error(`Port ${port} of fabric "${id}" is not connected`);
    return portRecord;
  }

  /**
   * Deletes a bridge/fabric already dropped from the maps (so no crash restore re-creates it), on the worker holding
   * it once a move or restore in progress has settled.
   */
  async #gone(record: BridgeRecord | FabricRecord, command: Command): Promise<void> {
    await this.#settled(record);
    record.slot.load -= loadOf(record);
    this.#updateSampler();
    try {
      await this.#request(record.slot, command);
    } catch (error) {
      // A bridge whose worker died is gone with it (and, being forgotten, will not be restored).
      if (!(error instanceof WorkerDiedError)) throw error;
    }
  }

  /**
   * The worker of what is at the other end of this bridge's link on this host (a bridge or a fabric port, where one
   * NIO points at the other's lport on loopback). The bridge goes on the same worker so the worker hands frames over
   * without a trip through the kernel (see LoopbackDirectory): that halves the work of a link between two emulators of
   * this compute, and takes two thirds off emulator → switch → emulator. A bridge created before its partner stays
   * where it is until a move (which takes whole groups) finds them on one worker.
   */
  #linkPartner(spec: BridgeSpec): Slot | undefined {
    for (const record of this.#bridges.values()) {
      if (record.slot.alive && linkedEndpoints(spec.nio, record.spec.nio)) return record.slot;
    }
    for (const record of this.#fabrics.values()) {
      if (!record.slot.alive) continue;
      for (const port of record.ports.values()) if (linkedEndpoints(spec.nio, port.endpoint)) return record.slot;
    }
    return undefined;
  }

  /**
   * The worker for a new bridge or fabric without a link partner (placement.ts). Workers are not stopped when they
   * empty: a thread start costs ~20-40 ms and would fall on a node start.
   */
  #place(): Slot {
    const choice = placeNew(this.#slots.map(workerState), this.#bound, !this.#movable());
    return choice === 'new' ? this.#startSlot().slot : this.#slots[choice]!;
  }

  /**
   * Whether bridges may move: the native I/O (known from the first worker's hello; an `auto` pool packs its first
   * bridges before that, as it will be native wherever the FFI loads).
   */
  #movable(): boolean {
    return this.#ioName === null ? this.#ioChoice !== 'dgram' : this.#ioName === 'native';
  }

  /** Resolves once the record is live on a worker no move or restore is taking it from. */
  async #settled(record: Placement): Promise<void> {
    for (let ready = record.ready; ; ready = record.ready) {
      await ready;
      if (record.ready === ready) return;
    }
  }

  /**
   * Sends a command about an existing bridge/fabric and runs `apply` (the pool's own bookkeeping of its effect) once
   * it succeeded; a move waits for both. If its worker dies meanwhile, retries once it is restored.
   */
  async #onPlaced(record: Placement, command: Command, apply: (result: unknown) => void = () => {}): Promise<unknown> {
    await this.#settled(record);
    const sent = this.#request(record.slot, command).then((result) => {
      apply(result);
      return result;
    });
    record.inflight.add(sent);
    try {
      return await sent;
    } catch (error) {
      if (!(error instanceof WorkerDiedError)) throw error;
      while (!record.slot.alive) await new Promise((resolve) => setTimeout(resolve, 10));
      await this.#settled(record);
      const result = await this.#request(record.slot, command);
      apply(result);
      return result;
    } finally {
      record.inflight.delete(sent);
    }
  }

  #request(slot: Slot, command: Command): Promise<unknown> {
    if (!slot.alive) return Promise.reject(new WorkerDiedError('Relay worker is not running'));
    const seq = ++slot.seq;
    return new Promise((resolve, reject) => {
      slot.pending.set(seq, { resolve, reject });
      slot.port.postMessage({ ...command, seq });
      slot.doorbell?.ring();
    });
  }

  /**
   * The sampler runs only while a move could help: native I/O, more than one worker allowed, and some worker hosting
   * two bridges/fabric ports or more. An agent with no links, or with everything it may have, wakes for nothing.
   */
  #updateSampler(): void {
    const useful =
      !this.#closing && this.#bound > 1 && this.#movable() && this.#slots.some((slot) => slot.tid !== null && slot.load >= 2);
    if (useful && this.#sampler === null) {
      this.#sampler = setInterval(() => void this.#sample(), SAMPLE_MS);
      this.#sampler.unref?.();
    } else if (!useful && this.#sampler !== null) {
      clearInterval(this.#sampler);
      this.#sampler = null;
    }
  }

  /** One sample: each worker's CPU demand since the last one; a worker busy for BUSY_SAMPLES gets its groups split. */
  async #sample(): Promise<void> {
    const now = performance.now();
    for (const slot of this.#slots) {
      const seconds = slot.tid === null ? null : threadDemandSeconds(slot.tid);
      if (seconds === null) continue;
      slot.share = slot.demand ? (seconds - slot.demand.seconds) / ((now - slot.demand.at) / 1000) : 0;
      slot.demand = { seconds, at: now };
      slot.busyFor = slot.share >= BUSY_SHARE ? slot.busyFor + 1 : 0;
      if (slot.busyFor === 0) slot.traffic = null;
    }
    if (this.#moving) return;
    const busy = this.#slots.find((slot) => slot.busyFor > 0);
    if (!busy) return;
    this.#moving = true;
    try {
      await this.#splitIfBusy(busy);
    } catch (error) {
      // A worker that died meanwhile is the crash restore's business.
      if (!(error instanceof WorkerDiedError)) this.#emit({ level: 'error', message: `Relay placement failed: ${(error as Error).message}` });
    } finally {
      this.#moving = false;
    }
  }

  /**
   * Weighs the groups of a busy worker by the frames they received over one sample (the first busy sample only takes
   * the counts), then moves the share groupsToMove picks.
   */
  async #splitIfBusy(busy: Slot): Promise<void> {
    const traffic = (await this.#request(busy, { op: 'traffic' })) as Record<string, number>;
    const before = busy.traffic;
    busy.traffic = traffic;
    if (before === null || busy.busyFor < BUSY_SAMPLES) return;
    const groups = this.#groupsOn(busy);
    const rates = groups.map((group) => group.reduce((sum, { id }) => sum + (traffic[id] ?? 0) - (before[id] ?? 0), 0));
    const moving = groupsToMove(rates).map((i) => groups[i]!);
    const target = moving.length === 0 ? null : migrationTarget(this.#slots.map(workerState), this.#slots.indexOf(busy), this.#bound);
    if (target === null) return;
    busy.busyFor = 0;
    busy.traffic = null;
    await this.#move(busy, moving.flat(), target);
  }

  /** The independent groups of what `slot` hosts: items joined by a link on this host stay together. */
  #groupsOn(slot: Slot): Hosted[][] {
    const hosted: Hosted[] = [];
    for (const [id, record] of this.#bridges) if (record.slot === slot) hosted.push({ id, record, endpoints: [record.spec.nio] });
    for (const [id, record] of this.#fabrics) {
      if (record.slot === slot) hosted.push({ id, record, endpoints: [...record.ports.values()].map((port) => port.endpoint) });
    }
    return groupsOf(hosted, (a, b) => a.endpoints.some((x) => b.endpoints.some((y) => linkedEndpoints(x, y))));
  }

  /**
   * Moves `members` from `from` to worker `target` (an index, or 'new') with their descriptors: commands about them
   * wait meanwhile, those already sent are answered first; then `from` detaches them all in one step into a custody
   * and `to` adopts each. A member that cannot be adopted is rebuilt from its spec there; a worker dying meanwhile
   * leaves the members to the crash restore, which sweeps the custody first.
   */
  async #move(from: Slot, members: Hosted[], target: number | 'new'): Promise<void> {
    const to = target === 'new' ? await this.#startSlot().hello : this.#slots[target]!;
    // While a new worker started, `from` may have died (its crash restore has the members now), and members may have
    // been deleted there (their delete did not wait, no move being marked yet).
    const current = (id: string, record: Hosted['record']) => this.#bridges.get(id) === record || this.#fabrics.get(id) === record;
    members = members.filter(({ id, record }) => from.alive && record.slot === from && current(id, record));
    if (members.length === 0) return;
    let done!: () => void;
    const moved = new Promise<void>((resolve) => (done = resolve));
    for (const { record } of members) record.ready = moved;
    try {
      await Promise.allSettled(members.flatMap(({ record }) => [...record.inflight]));
      // Sized now that the last port changes are booked: two descriptors per bridge, one per fabric port.
      const custody = newCustody(members.reduce((sum, { record }) => sum + ('spec' in record ? 2 : record.ports.size), 0));
      for (const { record } of members) record.custody = custody;
      // What is deleted meanwhile still moves (its delete waits for `moved`), so every member is detached and adopted.
      const handovers = (await this.#request(from, {
        op: 'detach',
        bridges: members.filter(({ record }) => 'spec' in record).map(({ id }) => id),
        fabrics: members.filter(({ record }) => !('spec' in record)).map(({ id }) => id),
        custody,
      })) as Handovers;
      // A worker whose death is noticed from here on finds the members on its slot and restores them (sweeping the
      // custody). One that died already: `from` has restored them; if `to` did, they go back to `from` instead.
      if (!from.alive) return;
      const adopter = to.alive ? to : from;
      const load = members.reduce((sum, { record }) => sum + loadOf(record), 0);
      from.load -= load;
      adopter.load += load;
      for (const { record } of members) record.slot = adopter;
      const failed = await this.#adopt(adopter, members, handovers, custody);
      if (failed.length > 0) {
        await this.#request(adopter, { op: 'sweep', custody });
        for (const { id, record } of failed) {
          adopter.load -= loadOf(record); // Counted again by the rebuild.
          await this.#rebuild(adopter, id, record);
        }
      }
      // No event: relay events reach GNS3 clients as log notifications, and a move is invisible to them by design.
      for (const { record } of members) record.custody = null;
    } catch (error) {
      // A worker died: its restore (which sweeps the custody) now owns the members. Anything else is a pool bug.
      if (!(error instanceof WorkerDiedError)) throw error;
    } finally {
      done();
      this.#updateSampler();
    }
  }

  /**
   * Adopts each moved member on `to`, then restarts its captures; returns those that could not be adopted (a worker's
   * death is thrown instead). A capture that cannot be reopened only costs the capture, as after a crash.
   */
  async #adopt(to: Slot, members: Hosted[], handovers: Handovers, custody: Custody): Promise<Hosted[]> {
    const failed: Hosted[] = [];
    const warn = (error: unknown, what: string) => {
      if (error instanceof WorkerDiedError) throw error;
      this.#emit({ level: 'warning', message: `Relay could not ${what} (${(error as Error).message})` });
    };
    for (const member of members) {
      const { id, record } = member;
      const captures: Command[] = [];
      try {
        if ('spec' in record) {
          await this.#request(to, { op: 'adoptBridge', id, handover: handovers.bridges[id]!, custody });
          if (record.capture !== null) captures.push({ op: 'startCapture', id, file: record.capture, append: true });
        } else {
          await this.#request(to, { op: 'adoptFabric', id, kind: record.kind, ports: handovers.fabrics[id]!, custody });
          for (const [port, { capture }] of record.ports) {
            if (capture !== null) captures.push({ op: 'startFabricCapture', id, port, file: capture, append: true });
          }
        }
      } catch (error) {
        warn(error, `hand "${id}" over to another worker; re-creating it`);
        failed.push(member);
      }
      for (const command of captures) await this.#request(to, command).catch((error: unknown) => warn(error, `continue a capture of "${id}"`));
    }
    return failed;
  }

  /**
   * Starts one relay thread. The slot can take commands at once (they queue in its port until the worker listens);
   * `hello` resolves once the worker has opened its I/O and said so.
   */
  #startSlot(): { slot: Slot; hello: Promise<Slot> } {
    const { port1, port2 } = new MessageChannel();
    const slot: Slot = {
      port: port1,
      pending: new Map(),
      seq: 0,
      load: 0,
      alive: true,
      threadId: null,
      tid: null,
      release: newReleaseSignal(),
      doorbell: null,
      demand: null,
      share: 0,
      busyFor: 0,
      traffic: null,
    };
    this.#slots.push(slot);
    const hello = new Promise<Slot>((resolve, reject) => {
      port1.on('message', (message: WorkerMessage) => {
        if ('hello' in message) {
          const { doorbell, ...hello } = message.hello;
          if (doorbell !== null) slot.doorbell = openDoorbell(doorbell);
          slot.threadId = hello.threadId;
          slot.tid = hello.tid;
          this.#ioName = hello.io;
          this.#ioFallback = hello.fallback;
          this.#watchThread(slot);
          const start = { ...hello, workers: this.#slots.length };
          for (const listener of this.#startListeners) listener(start);
          this.#updateSampler();
          resolve(slot);
        } else if ('event' in message) {
          this.#emit(message.event);
        } else {
          this.#settle(slot, message);
        }
      });
      port1.on('close', () => this.#onSlotDeath(slot, 'its control port closed'));
      this.#tinypool.run({ port: port2, io: this.#ioChoice, release: slot.release }, { transferList: [port2] }).then(
        () => this.#onSlotDeath(slot, 'it returned'),
        (error: Error) => {
          this.#onSlotDeath(slot, error.message);
          reject(error);
        },
      );
    });
    // Awaited by a restore only; a first bridge learns of a failed start from its own request.
    hello.catch(() => {});
    return { slot, hello };
  }

  /** Also notices a thread that exits without an error (e.g. terminated), which tinypool does not report. */
  #watchThread(slot: Slot): void {
    const worker = this.#tinypool.threads.find((thread) => thread.threadId === slot.threadId);
    worker?.once('exit', (code: number) => this.#onSlotDeath(slot, `it exited with code ${code}`));
  }

  #settle(slot: Slot, reply: Reply): void {
    const pending = slot.pending.get(reply.seq);
    if (!pending) return;
    slot.pending.delete(reply.seq);
    if (reply.ok) {
      pending.resolve(reply.result);
    } else if (reply.fields) {
      pending.reject(new PatchbayError(reply.code as ErrorCode, reply.error, reply.fields));
    } else {
      const error: NodeJS.ErrnoException = new Error(reply.error);
      if (reply.code) error.code = reply.code;
      pending.reject(error);
    }
  }

  #onSlotDeath(slot: Slot, reason: string): void {
    if (!slot.alive) return;
    slot.alive = false;
    slot.port.close();
    slot.doorbell?.close();
    for (const pending of slot.pending.values()) pending.reject(new WorkerDiedError(`Relay worker died: ${reason}`));
    slot.pending.clear();
    this.#slots.splice(this.#slots.indexOf(slot), 1);
    if (this.#closing) return;
    const orphans = [...this.#bridges.entries(), ...this.#fabrics.entries()].filter(([, r]) => r.slot === slot);
    // A worker that hosted nothing (or never started) is not replaced: the next bridge starts one if it needs it.
    if (orphans.length === 0) return this.#updateSampler();
    const replacement = this.#startSlot().hello;
    const restored = replacement.then((fresh) => this.#restore(fresh, orphans));
    for (const [, record] of orphans) record.ready = restored.then(() => undefined, () => undefined);
    void restored.then(
      (failures) =>
        this.#emit({
          level: 'warning',
          message:
            `Relay worker ${slot.threadId} stopped unexpectedly (${reason}); re-created ` +
            `${orphans.length - failures} of ${orphans.length} bridges/fabrics on worker ${this.#slots.at(-1)?.threadId}`,
        }),
      (error: Error) => this.#emit({ level: 'error', message: `Could not replace relay worker: ${error.message}` }),
    );
  }

  /**
   * Re-creates bridges and fabrics (captures append) on a fresh worker; returns how many could not be. Descriptors
   * of a move the dead worker took part in are closed first, so their ports are free to bind again.
   */
  async #restore(slot: Slot, orphans: Array<[string, BridgeRecord | FabricRecord]>): Promise<number> {
    const custodies = new Set(orphans.map(([, record]) => record.custody).filter((custody) => custody !== null));
    for (const custody of custodies) await this.#request(slot, { op: 'sweep', custody });
    let failures = 0;
    await Promise.all(
      orphans.map(async ([id, record]) => {
        record.slot = slot;
        record.custody = null;
        try {
          await this.#rebuild(slot, id, record);
        } catch (error) {
          failures += 1;
          this.#emit({ level: 'error', message: `Could not re-create "${id}": ${(error as Error).message}` });
        }
      }),
    );
    this.#updateSampler();
    return failures;
  }

  /** Creates a bridge or fabric again from what the pool holds (its spec or kind and ports, its captures appending). */
  async #rebuild(slot: Slot, id: string, record: BridgeRecord | FabricRecord): Promise<void> {
    if ('spec' in record) await this.#recreateBridge(slot, id, record);
    else await this.#recreateFabric(slot, id, record);
  }

  async #recreateBridge(slot: Slot, id: string, record: BridgeRecord): Promise<void> {
    slot.load += 1;
    await this.#retryBusy(() => this.#request(slot, { op: 'createBridge', id, spec: record.spec }));
    if (record.capture !== null) {
      await this.#request(slot, { op: 'startCapture', id, file: record.capture, append: true });
    }
  }

  async #recreateFabric(slot: Slot, id: string, record: FabricRecord): Promise<void> {
    slot.load += 1 + record.ports.size;
    await this.#request(slot, { op: 'createFabric', id, kind: record.kind });
    for (const [port, { endpoint, config, capture }] of record.ports) {
      const command: Command = { op: 'setFabricPort', id, port, endpoint };
      if (config) command.config = config;
      await this.#retryBusy(() => this.#request(slot, command));
      if (capture !== null) await this.#request(slot, { op: 'startFabricCapture', id, port, file: capture, append: true });
    }
  }

  async #retryBusy(attempt: () => Promise<unknown>): Promise<void> {
    for (let i = 1; ; i++) {
      try {
        await attempt();
        return;
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'EADDRINUSE' || i >= RESTORE_ATTEMPTS) throw error;
        await new Promise((resolve) => setTimeout(resolve, RESTORE_RETRY_MS));
      }
    }
  }
}
