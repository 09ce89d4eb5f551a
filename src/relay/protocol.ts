/** Control messages between the pool (main thread) and a relay worker, over the MessagePort each worker gets at start. */
import type { Custody } from './custody.ts';
import type { EndpointHandle, RelayIoName } from './io/types.ts';
import type { BridgePatch, BridgeSpec, BridgeStats, FabricKind, FabricPortConfig, RelayEvent, UdpEndpoint } from './types.ts';

export type Command =
  | { op: 'createBridge'; id: string; spec: BridgeSpec }
  | { op: 'updateBridge'; id: string; patch: BridgePatch }
  | { op: 'deleteBridge'; id: string }
  | { op: 'startCapture'; id: string; file: string; append: boolean }
  | { op: 'stopCapture'; id: string }
  | { op: 'stats'; id: string }
  | { op: 'createFabric'; id: string; kind: FabricKind }
  | { op: 'setFabricPort'; id: string; port: number; endpoint: UdpEndpoint | null; config?: FabricPortConfig }
  | { op: 'deleteFabric'; id: string }
  | { op: 'startFabricCapture'; id: string; port: number; file: string; append: boolean }
  | { op: 'stopFabricCapture'; id: string; port: number }
  | { op: 'fabricStats'; id: string; port: number }
  /** Frames received so far by each bridge and fabric of the worker, by id (what the pool's placement weighs). */
  | { op: 'traffic' }
  /** Moving bridges and fabrics to another worker (native I/O, see custody.ts): detach here (answers a `Handovers`)… */
  | { op: 'detach'; bridges: string[]; fabrics: string[]; custody: Custody }
  /** …adopt there… */
  | { op: 'adoptBridge'; id: string; handover: BridgeHandover; custody: Custody }
  | { op: 'adoptFabric'; id: string; kind: FabricKind; ports: FabricPortHandover[]; custody: Custody }
  /** …and after a failure, close what nobody adopted. */
  | { op: 'sweep'; custody: Custody }
  /** Fault injection: throws an uncaught error inside the worker (used by the pool's recovery tests). */
  | { op: 'crash' }
  /** Closes every socket and capture; the worker's task then returns. */
  | { op: 'shutdown' };

export type Request = Command & { seq: number };

export type Reply =
  | { seq: number; ok: true; result?: unknown }
  /** `fields`: set for a registry error (src/errors), rebuilt by the pool with its code, message and fields. */
  | { seq: number; ok: false; error: string; code?: string; fields?: Record<string, string> };

/**
 * What a worker posts: replies to requests, events, and once at start its thread id and the I/O backend it opened
 * (`fallback`: why `auto` fell back to dgram).
 */
export type WorkerMessage =
  | Reply
  | { event: RelayEvent }
  /**
   * `tid`: the kernel's id of the thread (the pool reads its CPU demand, thread-demand.ts), null where there is no
   * /proc; `doorbell`: the descriptor to ring after each message (RelayIo.doorbell), which the pool then owns.
   */
  | { hello: { threadId: number; tid: number | null; io: RelayIoName; fallback: string | null; doorbell: number | null } };

export type Handovers = { bridges: Record<string, BridgeHandover>; fabrics: Record<string, FabricPortHandover[]> };

/** A frame held by a delay/bandwidth queue, with the milliseconds left before its release (clocks differ per thread). */
export type QueuedFrame = { frame: Uint8Array; wait: number };

/**
 * What a bridge carries from one worker to another: the spec as that worker applied it (the pool's copy may already
 * hold an update still waiting to be sent), its descriptors (in a custody, see custody.ts), counters, whether its node
 * side had stopped (then `node` is null), and the frames its release queues held, per direction.
 */
export type BridgeHandover = {
  spec: BridgeSpec;
  node: EndpointHandle | null;
  link: EndpointHandle;
  counters: BridgeStats;
  stopped: boolean;
  queued: [QueuedFrame[], QueuedFrame[]];
};

/** One connected port of a moving fabric. */
export type FabricPortHandover = { port: number; endpoint: UdpEndpoint; config: FabricPortConfig; link: EndpointHandle; counters: BridgeStats };
