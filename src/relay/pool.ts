/**
 * The relay as a tinypool worker pool. The main thread owns the spec of every bridge and fabric (the source of truth),
 * places each on the least-loaded worker, and re-creates a dead worker's bridges and fabrics on a fresh one. Packets never cross
 * the main thread: each worker talks to it only through a MessagePort carrying control messages.
 */
import { availableParallelism } from 'node:os';
import { MessageChannel } from 'node:worker_threads';
import type { MessagePort } from 'node:worker_threads';
import Tinypool from 'tinypool';
import { PatchbayError } from '../errors/index.ts';
import type { ErrorCode } from '../errors/index.ts';
import type { RelayIoChoice } from './io/types.ts';
import type { RelayIoName } from './io/types.ts';
import type { Command, Reply, WorkerMessage } from './protocol.ts';
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
 * Relay threads started by default: one per core, at most 4. Each thread is a V8 isolate costing ~30 MiB of RSS
 * (measured: 1 → 8 workers add 29–34 MiB each), while one native-I/O worker forwards ~200k frames/s per core it
 * gets (2.5–5 µs of CPU per frame, docs/performance.md): four already outrun what the emulators of one host send, so
 * a 64-core host does not pay 2 GiB for idle isolates. `--relay-workers` overrides it.
 */
export const defaultRelayWorkers = (): number => Math.min(availableParallelism(), 4);

export type RelayPoolOptions = {
  /** Number of relay threads; default `defaultRelayWorkers()`. */
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
  threadId: number | null;
};

type Placement = {
  slot: Slot;
  /** Settles once the bridge/fabric is live on its current worker (after a crash: once it has been re-created). */
  ready: Promise<void>;
};

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

/**
 * A bind can race the release of a socket that held the port a moment ago: a dead worker's sockets when restoring,
 * and (seen under Deno, about one start in four) the port pool's bind probe. Retry it briefly.
 */
const RESTORE_ATTEMPTS = 20;
const RESTORE_RETRY_MS = 50;

export class RelayPool implements Relay {
  #tinypool: Tinypool;
  #slots: Slot[] = [];
  #bridges = new Map<string, BridgeRecord>();
  #fabrics = new Map<string, FabricRecord>();
  #listeners: Array<(event: RelayEvent) => void> = [];
  #closing = false;
  #ioChoice: RelayIoChoice;
  #ioName: RelayIoName | null = null;
  #ioFallback: string | null = null;

  private constructor(tinypool: Tinypool, io: RelayIoChoice) {
    this.#tinypool = tinypool;
    this.#ioChoice = io;
  }

  /** Starts the worker threads and waits until each has reported in. */
  static async start(options: RelayPoolOptions = {}): Promise<RelayPool> {
    const workers = options.workers ?? defaultRelayWorkers();
    if (!Number.isInteger(workers) || workers < 1) throw new RangeError(`Invalid relay worker count "${workers}"`);
    const tinypool = new Tinypool({
      filename: WORKER_FILE,
      minThreads: workers,
      // Headroom: a thread that exits without an 'error' event stays counted by tinypool until its task settles.
      maxThreads: workers * 2,
      concurrentTasksPerWorker: 1,
      // Workers own sockets and live as long as the pool: no recycling, and no Atomics.wait parking their event loop.
      isolateWorkers: false,
      useAtomics: false,
    });
    const pool = new RelayPool(tinypool, options.io ?? 'auto');
    await Promise.all(Array.from({ length: workers }, () => pool.#startSlot()));
    return pool;
  }

  get workerCount(): number {
    return this.#slots.length;
  }

  /** The I/O backend the workers opened, and why `auto` fell back to dgram (null when it did not). */
  get io(): { name: RelayIoName; fallback: string | null } {
    return { name: this.#ioName ?? 'dgram', fallback: this.#ioFallback };
  }

  /** Thread id of the worker hosting a bridge or fabric (diagnostics and tests). */
  threadOf(id: string): number | null {
    return (this.#bridges.get(id) ?? this.#fabrics.get(id))?.slot.threadId ?? null;
  }

  onEvent(listener: (event: RelayEvent) => void): void {
    this.#listeners.push(listener);
  }

  async createBridge(id: string, spec: BridgeSpec): Promise<void> {
    if (this.#bridges.has(id)) throw new Error(`Bridge "${id}" already exists`);
    const copy = structuredClone(spec);
    const slot = this.#linkPartner(copy) ?? this.#leastLoaded();
    slot.load += 1;
    try {
      await this.#retryBusy(() => this.#request(slot, { op: 'createBridge', id, spec: copy }));
    } catch (error) {
      slot.load -= 1;
      throw error;
    }
    this.#bridges.set(id, { spec: copy, slot, capture: null, ready: Promise.resolve() });
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
    record.slot.load -= 1;
    try {
      await this.#request(record.slot, { op: 'deleteBridge', id });
    } catch (error) {
      // A bridge whose worker died is gone with it (and, being forgotten, will not be restored).
      if (!(error instanceof WorkerDiedError)) throw error;
    }
  }

  async startCapture(id: string, file: string): Promise<void> {
    const record = this.#record(id);
    if (record.capture !== null) throw new Error(`Packet capture is already active on bridge "${id}"`);
    await this.#onPlaced(record, { op: 'startCapture', id, file, append: false });
    record.capture = file;
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
    if (this.#fabrics.has(id)) throw new Error(`Fabric "${id}" already exists`);
    const slot = this.#leastLoaded();
    slot.load += 1;
    try {
      await this.#request(slot, { op: 'createFabric', id, kind });
    } catch (error) {
      slot.load -= 1;
      throw error;
    }
    this.#fabrics.set(id, { kind, slot, ports: new Map(), ready: Promise.resolve() });
  }

  async setFabricPort(id: string, port: number, endpoint: UdpEndpoint | null, config?: FabricPortConfig): Promise<void> {
    const record = this.#fabric(id);
    const command: Command = { op: 'setFabricPort', id, port, endpoint: structuredClone(endpoint) };
    if (config) command.config = structuredClone(config);
    await this.#onPlaced(record, command);
    const previous = record.ports.get(port);
    if (command.endpoint === null) {
      if (previous) record.slot.load -= 1;
      record.ports.delete(port);
    } else {
      if (!previous) record.slot.load += 1;
      record.ports.set(port, { endpoint: command.endpoint, config: command.config, capture: previous?.capture ?? null });
    }
  }

  async deleteFabric(id: string): Promise<void> {
    const record = this.#fabric(id);
    this.#fabrics.delete(id);
    record.slot.load -= 1 + record.ports.size;
    try {
      await this.#request(record.slot, { op: 'deleteFabric', id });
    } catch (error) {
      if (!(error instanceof WorkerDiedError)) throw error;
    }
  }

  async startFabricCapture(id: string, port: number, file: string): Promise<void> {
    const record = this.#fabric(id);
    const portRecord = this.#fabricPort(record, id, port);
    if (portRecord.capture !== null) throw new Error(`Packet capture is already active on port ${port}`);
    await this.#onPlaced(record, { op: 'startFabricCapture', id, port, file, append: false });
    portRecord.capture = file;
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

  /** Closes every bridge and capture, then ends the worker threads. */
  async close(): Promise<void> {
    if (this.#closing) return;
    this.#closing = true;
    await Promise.allSettled(this.#slots.filter((slot) => slot.alive).map((slot) => this.#request(slot, { op: 'shutdown' })));
    this.#bridges.clear();
    this.#fabrics.clear();
    await this.#tinypool.destroy();
  }

  #emit(event: RelayEvent): void {
    for (const listener of this.#listeners) listener(event);
  }

  #record(id: string): BridgeRecord {
    const record = this.#bridges.get(id);
    if (!record) throw new Error(`Bridge "${id}" does not exist`);
    return record;
  }

  #fabric(id: string): FabricRecord {
    const record = this.#fabrics.get(id);
    if (!record) throw new Error(`Fabric "${id}" does not exist`);
    return record;
  }

  #fabricPort(record: FabricRecord, id: string, port: number): FabricPortRecord {
    const portRecord = record.ports.get(port);
    if (!portRecord) throw new Error(`Port ${port} of fabric "${id}" is not connected`);
    return portRecord;
  }

  /**
   * The worker of what is at the other end of this bridge's link on this host (a bridge or a fabric port, where one
   * NIO points at the other's lport on loopback). The bridge goes on the same worker so the worker hands frames over
   * without a trip through the kernel (see LoopbackDirectory): that halves the work of a link between two emulators of
   * this compute, and takes two thirds off emulator → switch → emulator. Placement is decided at creation only; a
   * bridge created before its partner stays where it is, and both ends then go through the kernel as before.
   */
  #linkPartner(spec: BridgeSpec): Slot | undefined {
    const linked = (other: UdpEndpoint) =>
      (isLoopback(spec.nio.rhost) && spec.nio.rport === other.lport) ||
      (isLoopback(other.rhost) && other.rport === spec.nio.lport);
    for (const record of this.#bridges.values()) {
      if (record.slot.alive && linked(record.spec.nio)) return record.slot;
    }
    for (const record of this.#fabrics.values()) {
      if (!record.slot.alive) continue;
      for (const port of record.ports.values()) if (linked(port.endpoint)) return record.slot;
    }
    return undefined;
  }

  #leastLoaded(): Slot {
    let best = this.#slots[0]!;
    for (const slot of this.#slots) if (slot.load < best.load) best = slot;
    return best;
  }

  /** Sends a command about an existing bridge/fabric; if its worker dies meanwhile, retries once it is restored. */
  async #onPlaced(record: Placement, command: Command): Promise<unknown> {
    await record.ready;
    try {
      return await this.#request(record.slot, command);
    } catch (error) {
      if (!(error instanceof WorkerDiedError)) throw error;
      while (!record.slot.alive) await new Promise((resolve) => setTimeout(resolve, 10));
      await record.ready;
      return this.#request(record.slot, command);
    }
  }

  #request(slot: Slot, command: Command): Promise<unknown> {
    if (!slot.alive) return Promise.reject(new WorkerDiedError('Relay worker is not running'));
    const seq = ++slot.seq;
    return new Promise((resolve, reject) => {
      slot.pending.set(seq, { resolve, reject });
      slot.port.postMessage({ ...command, seq });
    });
  }

  /** Starts one relay thread and resolves once it has said hello. */
  #startSlot(): Promise<Slot> {
    const { port1, port2 } = new MessageChannel();
    const slot: Slot = { port: port1, pending: new Map(), seq: 0, load: 0, alive: true, threadId: null };
    this.#slots.push(slot);
    return new Promise((resolve, reject) => {
      port1.on('message', (message: WorkerMessage) => {
        if ('hello' in message) {
          slot.threadId = message.hello.threadId;
          this.#ioName = message.hello.io;
          this.#ioFallback = message.hello.fallback;
          this.#watchThread(slot);
          resolve(slot);
        } else if ('event' in message) {
          this.#emit(message.event);
        } else {
          this.#settle(slot, message);
        }
      });
      port1.on('close', () => this.#onSlotDeath(slot, 'its control port closed'));
      this.#tinypool.run({ port: port2, io: this.#ioChoice }, { transferList: [port2] }).then(
        () => this.#onSlotDeath(slot, 'it returned'),
        (error: Error) => {
          this.#onSlotDeath(slot, error.message);
          reject(error);
        },
      );
    });
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
    for (const pending of slot.pending.values()) pending.reject(new WorkerDiedError(`Relay worker died: ${reason}`));
    slot.pending.clear();
    this.#slots.splice(this.#slots.indexOf(slot), 1);
    if (this.#closing) return;
    const orphans = [...this.#bridges.entries(), ...this.#fabrics.entries()].filter(([, r]) => r.slot === slot);
    const replacement = this.#startSlot();
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

  /** Re-creates bridges and fabrics (captures append) on a fresh worker; returns how many could not be. */
  async #restore(slot: Slot, orphans: Array<[string, BridgeRecord | FabricRecord]>): Promise<number> {
    let failures = 0;
    await Promise.all(
      orphans.map(async ([id, record]) => {
        record.slot = slot;
        try {
          if ('spec' in record) await this.#recreateBridge(slot, id, record);
          else await this.#recreateFabric(slot, id, record);
        } catch (error) {
          failures += 1;
          this.#emit({ level: 'error', message: `Could not re-create "${id}": ${(error as Error).message}` });
        }
      }),
    );
    return failures;
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
