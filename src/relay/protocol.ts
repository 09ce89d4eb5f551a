/** Control messages between the pool (main thread) and a relay worker, over the MessagePort each worker gets at start. */
import type { RelayIoName } from './io/types.ts';
import type { BridgePatch, BridgeSpec, FabricKind, FabricPortConfig, RelayEvent, UdpEndpoint } from './types.ts';

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
  | { hello: { threadId: number; io: RelayIoName; fallback: string | null } };
