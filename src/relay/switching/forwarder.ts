/** What a switching fabric's logic looks like to the worker: ports come and go, frames go in, deliveries come out. */
import type { FabricPortConfig } from '../types.ts';

/** Hands a frame to a port of the fabric; the same frame may be handed to several ports. */
export type Deliver = (port: number, frame: Uint8Array) => void;

export interface Forwarder {
  /** Connects, reconfigures (`config`) or, with null, disconnects a port. Throws on an invalid config. */
  setPort(port: number, config: FabricPortConfig | null): void;
  /** Forwards one frame that arrived on `port`; returns a drop reason, or '' when it was handled. */
  receive(port: number, frame: Uint8Array, now: number, deliver: Deliver): string;
}
