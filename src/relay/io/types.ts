/**
 * The relay's I/O interface: what bridges and fabrics need from sockets and devices. Two implementations, chosen once
 * per worker: `dgram` (node:dgram, portable) and `native` (FFI to libc: batched UDP, AF_PACKET and TAP endpoints).
 */
import type { Custody } from '../custody.ts';
import type { Peer } from '../peer.ts';
import type { RingPosition } from './native/packet-ring.ts';

export type RelayIoName = 'native' | 'dgram';

/** `--relay-io`: `auto` is native where the FFI loads, else dgram. */
export const RELAY_IO_CHOICES = ['auto', 'native', 'dgram'] as const;
export type RelayIoChoice = (typeof RELAY_IO_CHOICES)[number];

/**
 * What an endpoint reports. `frame` may be a view into a buffer the backend reuses once the current batch is forwarded:
 * a callee that keeps it past its return (a release queue, a fabric fan-out to a bridge) copies it first.
 */
export type EndpointHandlers = {
  frame(frame: Uint8Array): void;
  /** A frame received or sent that could not be delivered intact (e.g. "too_big"), counted by the owner. */
  drop(reason: string): void;
  /**
   * A failure that is not one of the transient ones links must survive. `fatal`: the endpoint stopped for good (its
   * interface vanished); the owner reports it and closes the endpoint, nothing spins.
   */
  error(error: Error & { code?: string }, fatal: boolean): void;
};

/**
 * An endpoint detached from one worker for another to adopt (native I/O only): its descriptor sits in a custody at
 * index `at`; what it is says how the adopter drives it, and a raw side's `ring` where its receive ring stands.
 */
export type EndpointHandle = { kind: 'udp' | 'tap' | 'raw'; device: string; fd: number; at: number; ring?: RingPosition };

/** What every endpoint can do besides sending. */
interface Endpoint {
  close(): Promise<void>;
  /**
   * Stops receiving and hands the descriptor to `custody` without closing it (queued frames are sent first, frames
   * the kernel holds stay queued for the adopter). The endpoint is dead here afterwards.
   */
  detach(custody: Custody): EndpointHandle;
}

/** An unconnected UDP socket bound to one local port. */
export interface UdpSocket extends Endpoint {
  /** Sends to `peer` now or with the current batch; failures are reported to the handlers' `drop`. */
  send(frame: Uint8Array, peer: Peer): void;
}

/** A TAP device or an AF_PACKET socket on one interface: frames go to and come from that device only. */
export interface DeviceEndpoint extends Endpoint {
  /** The kernel's name of the device at open time. */
  readonly device: string;
  send(frame: Uint8Array): void;
}

export interface RelayIo {
  readonly name: RelayIoName;
  /** Binds `address:lport` (IPv4 or IPv6 literal). Rejects with the errno code (e.g. EADDRINUSE) on failure. */
  openUdp(lport: number, address: string, handlers: EndpointHandlers): Promise<UdpSocket>;
  /** Attaches to TAP device `name`, creating it (non-persistent, no packet-info header) when it does not exist. */
  openTap(name: string, handlers: EndpointHandlers): Promise<DeviceEndpoint>;
  /** AF_PACKET socket bound to interface `name`: all protocols, promiscuous, the host's own frames ignored. */
  openRaw(name: string, handlers: EndpointHandlers): Promise<DeviceEndpoint>;
  /** Takes over a UDP socket another worker detached; throws if its descriptor is no longer in the custody. */
  adoptUdp(handle: EndpointHandle, custody: Custody, handlers: EndpointHandlers): UdpSocket;
  /** Takes over a TAP or raw endpoint another worker detached. */
  adoptDevice(handle: EndpointHandle, custody: Custody, handlers: EndpointHandlers): DeviceEndpoint;
  /** Closes whatever descriptors are still unclaimed in `custody` (a move that failed half-way). */
  sweep(custody: Custody): void;
  /**
   * Tells the backend that the event loop has work that must run on time (a bridge's release timer, a capture's flush
   * timer, a control command waiting on I/O), until the returned function is called: the native backend does not keep
   * the event loop waiting for frames meanwhile.
   */
  holdLoop(): () => void;
  /**
   * The descriptor the pool writes an 8-byte count to after posting this worker a control message, so that a worker
   * waiting for frames outside its event loop goes back to it (native: an eventfd, see native/linger.ts; the pool
   * closes it once the worker is gone); null when the backend never waits outside its event loop.
   */
  readonly doorbell: number | null;
  /** Releases what the backend holds for the worker (readiness watchers, buffers). */
  close(): void;
  /** Closes every endpoint at once without flushing, for a worker about to die of an uncaught error. */
  abandon(): void;
}
