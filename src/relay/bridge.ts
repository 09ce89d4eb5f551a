/**
 * One bridge inside a relay worker: socket E (emulator tunnel) and socket N (the link NIO), each direction passing
 * through the filter chain, the release queue and the capture tap.
 */
import type { Socket } from 'node:dgram';
import { Counters } from './counters.ts';
import { buildFilterChain } from './filters/chain.ts';
import type { FilterChain } from './filters/chain.ts';
import { DROP } from './filters/types.ts';
import type { Direction } from './filters/types.ts';
import { loopbackKey } from './loopback.ts';
import type { LinkReceiver, LoopbackDirectory } from './loopback.ts';
import { PcapWriter } from './pcap-writer.ts';
import { ReleaseQueue } from './release-queue.ts';
import type { BridgePatch, BridgeSpec, BridgeStats, RelayEvent, UdpEndpoint } from './types.ts';
import { bindUdp, closeUdp, resolvePeer } from './udp.ts';
import type { Peer } from './udp.ts';

/** Frames held per direction by delay/bandwidth before new ones are dropped (bounds memory on a slow link). */
const MAX_QUEUED = 65536;

type Emit = (event: RelayEvent) => void;

/** Wall clock in microseconds with sub-millisecond resolution, for pcap timestamps. */
export const epochMicros = (): number => (performance.timeOrigin + performance.now()) * 1000;

/**
 * The emulator always runs on this host, so its side binds loopback when the emulator address is a loopback one;
 * the link side binds the wildcard address like GNS3 (the peer may be another compute).
 */
function bindAddress(peer: Peer, loopbackOnly: boolean): string {
  const loopback = peer.family === 6 ? peer.address === '::1' : peer.address.startsWith('127.');
  if (loopbackOnly && loopback) return peer.family === 6 ? '::1' : '127.0.0.1';
  return peer.family === 6 ? '::' : '0.0.0.0';
}

export class Bridge {
  readonly id: string;
  readonly counters = new Counters();
  #emit: Emit;
  #nio: UdpEndpoint;
  #suspend: boolean;
  #chain: FilterChain;
  /** Index = direction: 0 sends out of N (to the link), 1 sends out of E (to the emulator). */
  #sockets: [Socket, Socket];
  #peers: [Peer, Peer];
  #directory: LoopbackDirectory;
  /** Where the NIO's datagrams would land if they stay on this host (see LoopbackDirectory); -1 if they leave it. */
  #linkKey = -1;
  /** Receive path of the link-side socket, as listed in the directory. */
  #linkReceiver: LinkReceiver = (frame) => this.#receive(frame, 1);
  #queues: [ReleaseQueue<Buffer>, ReleaseQueue<Buffer>] = [new ReleaseQueue(), new ReleaseQueue()];
  #timer: ReturnType<typeof setTimeout> | null = null;
  #timerAt = Infinity;
  #sendTowardsLink = (frame: Buffer) => this.#send(frame, 0);
  #sendTowardsEmulator = (frame: Buffer) => this.#send(frame, 1);
  #capture: PcapWriter | null = null;

  private constructor(id: string, spec: BridgeSpec, chain: FilterChain, emit: Emit, directory: LoopbackDirectory) {
    this.id = id;
    this.#emit = emit;
    this.#directory = directory;
    this.#nio = spec.nio;
    this.#suspend = spec.suspend;
    this.#chain = chain;
    this.#sockets = [null!, null!];
    this.#peers = [null!, null!];
  }

  /** Validates filters, resolves both peers and binds both sockets; nothing stays bound if any step fails. */
  static async open(id: string, spec: BridgeSpec, emit: Emit, directory: LoopbackDirectory): Promise<Bridge> {
    const bridge = new Bridge(id, spec, buildFilterChain(spec.filters), emit, directory);
    const emulatorPeer = await resolvePeer(spec.emulator.rhost, spec.emulator.rport);
    const nioPeer = await resolvePeer(spec.nio.rhost, spec.nio.rport);
    const e = await bridge.#bind(spec.emulator.lport, bindAddress(emulatorPeer, true), 0);
    try {
      bridge.#sockets = [await bridge.#bind(spec.nio.lport, bindAddress(nioPeer, false), 1), e];
    } catch (error) {
      await closeUdp(e);
      throw error;
    }
    bridge.#peers = [nioPeer, emulatorPeer];
    bridge.#linkKey = loopbackKey(nioPeer);
    directory.add(nioPeer.family, spec.nio.lport, bridge.#linkReceiver, 'bridge');
    return bridge;
  }

  /** Applies a live change: a new NIO (rebinding N only if lport changed), filters, suspend. */
  async update(patch: BridgePatch): Promise<void> {
    const chain = patch.filters ? buildFilterChain(patch.filters) : this.#chain;
    if (patch.nio) {
      const peer = await resolvePeer(patch.nio.rhost, patch.nio.rport);
      if (patch.nio.lport !== this.#nio.lport || bindAddress(peer, false) !== bindAddress(this.#peers[0], false)) {
        const socket = await this.#bind(patch.nio.lport, bindAddress(peer, false), 1);
        const old = this.#sockets[0];
        this.#sockets[0] = socket;
        this.#directory.remove(this.#peers[0].family, this.#nio.lport, this.#linkReceiver);
        this.#directory.add(peer.family, patch.nio.lport, this.#linkReceiver, 'bridge');
        await closeUdp(old);
      }
      this.#peers[0] = peer;
      this.#linkKey = loopbackKey(peer);
      this.#nio = patch.nio;
    }
    this.#chain = chain;
    if (patch.suspend !== undefined) this.#suspend = patch.suspend;
  }

  startCapture(file: string, append: boolean): void {
    if (this.#capture) throw new Error(`Packet capture is already active on bridge "${this.id}"`);
    this.#capture = new PcapWriter(file, append, (error) =>
      this.#emit({ level: 'error', message: `Capture of bridge "${this.id}" to "${file}" failed: ${error.message}` }),
    );
  }

  stopCapture(): void {
    this.#capture?.close();
    this.#capture = null;
  }

  stats(): BridgeStats {
    return this.counters.snapshot();
  }

  async close(): Promise<void> {
    if (this.#timer) clearTimeout(this.#timer);
    this.#queues[0].clear();
    this.#queues[1].clear();
    this.stopCapture();
    this.#directory.remove(this.#peers[0].family, this.#nio.lport, this.#linkReceiver);
    await Promise.all(this.#sockets.map(closeUdp));
  }

  /** `receivedOn` 0 = E (frame goes towards the link, direction 0), 1 = N (towards the emulator, direction 1). */
  #bind(lport: number, address: string, receivedOn: Direction): Promise<Socket> {
    return bindUdp(
      lport,
      address,
      receivedOn === 1 ? this.#linkReceiver : (frame) => this.#receive(frame, 0),
      (error) => this.#emit({ level: 'warning', message: `Bridge "${this.id}" port ${lport}: ${error.message}` }),
    );
  }

  #receive(frame: Buffer, dir: Direction): void {
    const counters = this.counters;
    counters.packetsIn += 1;
    counters.bytesIn += frame.length;
    if (this.#suspend) {
      counters.drop('suspend');
      return;
    }
    const queue = this.#queues[dir];
    if (this.#chain.filters.length === 0 && queue.size === 0) {
      this.#send(frame, dir);
      return;
    }
    const now = performance.now();
    const release = this.#chain.run(frame, dir, now);
    if (release === DROP) {
      counters.drop(this.#chain.dropReason);
    } else if (release <= now && queue.size === 0) {
      this.#send(frame, dir);
    } else if (queue.size >= MAX_QUEUED) {
      counters.drop('queue_full');
    } else {
      queue.push(frame, release);
      this.#schedule();
    }
  }

  #send(frame: Buffer, dir: Direction): void {
    this.counters.packetsOut += 1;
    this.counters.bytesOut += frame.length;
    this.#capture?.write(frame, epochMicros());
    const local = dir === 0 ? this.#directory.receiver(this.#linkKey) : undefined;
    if (local) {
      local(frame);
      return;
    }
    const peer = this.#peers[dir];
    this.#sockets[dir].send(frame, peer.port, peer.address);
  }

  /** One timer for both queues, armed for the earliest release time (re-armed if a queue head became earlier). */
  #schedule(): void {
    const next = Math.min(this.#queues[0].nextDue(), this.#queues[1].nextDue());
    if (next >= this.#timerAt) return;
    if (this.#timer) clearTimeout(this.#timer);
    this.#timerAt = next;
    this.#timer = setTimeout(() => this.#release(), Math.max(0, next - performance.now()));
  }

  #release(): void {
    this.#timer = null;
    this.#timerAt = Infinity;
    const now = performance.now();
    this.#queues[0].drain(now, this.#sendTowardsLink);
    this.#queues[1].drain(now, this.#sendTowardsEmulator);
    this.#schedule();
  }
}
