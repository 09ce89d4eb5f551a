/** Test helpers: loopback UDP endpoints standing in for an emulator and a link peer. */
import { createSocket } from 'node:dgram';
import type { Socket } from 'node:dgram';
import { RelayPool } from '../../src/relay/pool.ts';
import type { RelayIoChoice } from '../../src/relay/io/types.ts';
import type { BridgeSpec, LinkFilters } from '../../src/relay/types.ts';
import { claimSlot, type Teardown } from '../helpers/daemon.ts';
import { udpFree } from '../helpers/ports.ts';

/**
 * The relay I/O the suites run on: PATCHBAY_RELAY_IO (the daemon's own variable, so daemon-based tests follow it too),
 * default auto. CI runs the relay suites once more with `npm run test:relay-dgram`.
 */
export const RELAY_IO = (process.env.PATCHBAY_RELAY_IO ?? 'auto') as RelayIoChoice;

/** A relay pool on the backend under test (or on `io`). */
export const startPool = (workers: number, io: RelayIoChoice = RELAY_IO): Promise<RelayPool> => RelayPool.start({ workers, io });

/**
 * startPool, closed when `t` ends.
 *
 * @example const pool = await withPool(t, 2);
 */
export async function withPool(t: Teardown, workers: number, io: RelayIoChoice = RELAY_IO): Promise<RelayPool> {
  const pool = await startPool(workers, io);
  t.teardown(() => pool.close());
  return pool;
}

/** The UDP ports freePort hands out: 14000-18999, below the kernel's ephemeral range and the daemons' slot ranges. */
const FREE_PORTS = { start: 14000, perSlot: 250 };
let nextFree = -1;

/**
 * A UDP port free now, for a bridge or fabric to bind. Each test process takes ports in turn from its own slot's share
 * of FREE_PORTS (claimSlot), probing each: a port picked at random could come out twice before the first was bound
 * (two draws of a fixture did, about one run of pool.test.ts in a hundred), and a port the kernel hands out for port 0
 * could go to another test file's socket between this probe and the relay's bind.
 */
export async function freePort(): Promise<number> {
  const first = FREE_PORTS.start + claimSlot() * FREE_PORTS.perSlot;
  for (let tries = 0; tries < FREE_PORTS.perSlot; tries++) {
    nextFree = (nextFree + 1) % FREE_PORTS.perSlot;
    const port = first + nextFree; // Taken before the probe: concurrent calls move nextFree on meanwhile.
    if (await udpFree(port)) return port;
  }
  throw new Error(`no free UDP port in ${first}-${first + FREE_PORTS.perSlot - 1}`);
}

/** A loopback socket that records every datagram it receives. */
export class Endpoint {
  readonly received: Buffer[] = [];
  #waiters: Array<() => void> = [];

  private constructor(readonly socket: Socket, readonly port: number) {
    socket.on('message', (frame) => {
      this.received.push(frame);
      for (const wake of this.#waiters.splice(0)) wake();
    });
  }

  static async open(): Promise<Endpoint> {
    const socket = createSocket({ type: 'udp4', recvBufferSize: 4 << 20 });
    await new Promise<void>((resolve) => socket.bind(0, '127.0.0.1', resolve));
    return new Endpoint(socket, socket.address().port);
  }

  send(frame: Uint8Array, port: number): Promise<void> {
    return new Promise((resolve, reject) => this.socket.send(frame, port, '127.0.0.1', (e) => (e ? reject(e) : resolve())));
  }

  /** Resolves once `count` datagrams have arrived in total, or after `ms` (then the caller checks what came). */
  async waitFor(count: number, ms = 2000): Promise<Buffer[]> {
    const deadline = Date.now() + ms;
    while (this.received.length < count && Date.now() < deadline) {
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, Math.max(1, deadline - Date.now()));
        this.#waiters.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
    return this.received;
  }

  close(): Promise<void> {
    return new Promise((resolve) => this.socket.close(() => resolve()));
  }
}

/** An emulator stand-in, a link peer, and the spec of the bridge joining them. */
export async function bridgeFixture(filters: LinkFilters = {}) {
  const emulator = await Endpoint.open();
  const peer = await Endpoint.open();
  const tunnelPort = await freePort();
  const nioPort = await freePort();
  const spec: BridgeSpec = {
    emulator: { lport: tunnelPort, rhost: '127.0.0.1', rport: emulator.port },
    nio: { lport: nioPort, rhost: '127.0.0.1', rport: peer.port },
    filters,
    suspend: false,
  };
  return {
    emulator,
    peer,
    spec,
    tunnelPort,
    nioPort,
    close: () => Promise.all([emulator.close(), peer.close()]),
  };
}

/** A frame of `size` bytes whose first 4 bytes carry `seq` (big-endian). */
export function numberedFrame(seq: number, size = 64): Buffer {
  const frame = Buffer.alloc(size, 0xab);
  frame.writeUInt32BE(seq, 0);
  return frame;
}
