/**
 * One bridge inside a relay worker: the node side (E: a UDP tunnel to the emulator, or a TAP device or host
 * interface) and the link side (N: the link NIO's UDP socket), each direction passing through the filter chain, the
 * release queue and the capture tap.
 */
import { Counters } from './counters.ts';
import { validateInterfaceName } from './endpoint-checks.ts';
import { FilterChain } from './filters/filter-chain.ts';
import { DROP } from './filters/types.ts';
import type { Direction } from './filters/types.ts';
import type { Custody } from './custody.ts';
import type { EndpointHandlers, RelayIo, UdpSocket } from './io/types.ts';
import type { EndpointHandle } from './io/types.ts';
import { loopbackKey } from './loopback.ts';
import type { LinkReceiver, LoopbackDirectory } from './loopback.ts';
import type { PcapWriter } from './pcap-writer.ts';
import type { BridgeHandover, QueuedFrame } from './protocol.ts';
import { isLoopbackPeer, resolvePeer } from './peer.ts';
import type { Peer } from './peer.ts';
import { ReleaseQueue } from './release-queue.ts';
import type { BridgePatch, BridgeSpec, BridgeStats, LinkFilters, NodeEndpoint, RelayEvent, UdpEndpoint } from './types.ts';
import { epochMicros } from './wall-clock.ts';

/** Frames held per direction by delay/bandwidth before new ones are dropped (bounds memory on a slow link). */
const MAX_QUEUED = 65536;

type Emit = (event: RelayEvent) => void;

/** Where a side's frames go out: a bound UDP socket and its peer, or a device. */
type Outlet = { send(frame: Uint8Array): void; close(): Promise<void>; detach(custody: Custody): EndpointHandle };

const udpOutlet = (socket: UdpSocket, peer: Peer): Outlet => ({
  send: (frame) => socket.send(frame, peer),
  close: () => socket.close(),
  detach: (custody) => socket.detach(custody),
});

/** The node side of a bridge that arrives with it stopped (its device had vanished): nothing to send to or close. */
const STOPPED_OUTLET: Outlet = {
  send: () => {},
  close: async () => {},
  detach: () => {
    throw new Error('A stopped node side has no descriptor');
  },
};

/**
 * The emulator always runs on this host, so its side binds loopback when the emulator address is a loopback one;
 * the link side binds the wildcard address like GNS3 (the peer may be another compute).
 */
function bindAddress(peer: Peer, loopbackOnly: boolean): string {
  if (loopbackOnly && isLoopbackPeer(peer)) return peer.family === 6 ? '::1' : '127.0.0.1';
  return peer.family === 6 ? '::' : '0.0.0.0';
}

/**
 * Nearly every link has no filters: the filter modules (BPF parser and compiler...) load with the first link that
 * has some, not with every relay worker (issue 12). Anything but an empty object goes to the builder, which validates.
 */
async function filterChain(filters: LinkFilters): Promise<FilterChain> {
  const none = typeof filters === 'object' && filters !== null && !Array.isArray(filters) && Object.keys(filters).length === 0;
  if (none) return new FilterChain([]);
  const { buildFilterChain } = await import('./filters/chain.ts');
  return buildFilterChain(filters);
}

const isUdp = (endpoint: NodeEndpoint): endpoint is UdpEndpoint => !('kind' in endpoint);

export class Bridge {
  readonly id: string;
  readonly counters = new Counters();
  #io: RelayIo;
  #emit: Emit;
  #nio: UdpEndpoint;
  /** The spec as applied here (creation plus every update): what an adopting worker rebuilds it from. */
  #applied: BridgeSpec;
  #suspend: boolean;
  #chain: FilterChain;
  #link: UdpSocket = null!;
  #linkPeer: Peer = null!;
  #node: Outlet = null!;
  /** Set once the node side's device vanished: the bridge stays (the API may delete it) but forwards nothing. */
  #stopped = false;
  #directory: LoopbackDirectory;
  /** Where the NIO's datagrams would land if they stay on this host (see LoopbackDirectory); -1 if they leave it. */
  #linkKey = -1;
  /** Receive path of the link-side socket, as listed in the directory. */
  #linkReceiver: LinkReceiver = (frame, shared = false) => this.#receive(frame, 1, shared);
  #queues: [ReleaseQueue<Uint8Array>, ReleaseQueue<Uint8Array>] = [new ReleaseQueue(), new ReleaseQueue()];
  #timer: ReturnType<typeof setTimeout> | null = null;
  #timerAt = Infinity;
  /** Held while the release timer is armed, so the I/O lets the event loop fire it on time (RelayIo.holdLoop). */
  #timerHeld: (() => void) | null = null;
  #sendTowardsLink = (frame: Uint8Array) => this.#send(frame, 0);
  #sendTowardsEmulator = (frame: Uint8Array) => this.#send(frame, 1);
  #capture: PcapWriter | null = null;

  private constructor(id: string, spec: BridgeSpec, chain: FilterChain, io: RelayIo, emit: Emit, directory: LoopbackDirectory) {
    this.id = id;
    this.#io = io;
    this.#emit = emit;
    this.#directory = directory;
    this.#nio = spec.nio;
    this.#suspend = spec.suspend;
    this.#chain = chain;
    this.#applied = spec;
  }

  /** Validates filters, resolves peers, opens both sides; nothing stays open if any step fails. */
  static async open(id: string, spec: BridgeSpec, io: RelayIo, emit: Emit, directory: LoopbackDirectory): Promise<Bridge> {
    const bridge = new Bridge(id, spec, await filterChain(spec.filters), io, emit, directory);
    const nioPeer = await resolvePeer(spec.nio.rhost, spec.nio.rport);
    const node = await bridge.#openNodeSide(spec.emulator);
    try {
      bridge.#link = await io.openUdp(spec.nio.lport, bindAddress(nioPeer, false), bridge.#handlers(1, `port ${spec.nio.lport}`));
    } catch (error) {
      await node.close();
      throw error;
    }
    bridge.#attach(node, nioPeer);
    return bridge;
  }

  /**
   * The bridge another worker detached (`detach`), continuing on the same descriptors: frames the kernel queued
   * meanwhile are received here. Its counters continue; its filters start afresh from the spec (their random and
   * token-bucket state does not travel), and the frames its queues held leave when they were due.
   */
  static async adopt(id: string, handover: BridgeHandover, custody: Custody, io: RelayIo, emit: Emit, directory: LoopbackDirectory): Promise<Bridge> {
    const { spec } = handover;
    const bridge = new Bridge(id, spec, await filterChain(spec.filters), io, emit, directory);
    const nioPeer = await resolvePeer(spec.nio.rhost, spec.nio.rport);
    const emulator = spec.emulator;
    const nodePeer = isUdp(emulator) ? await resolvePeer(emulator.rhost, emulator.rport) : null;
    // Both claims in one synchronous step: on a failure nothing of this bridge stays open here (the pool sweeps the rest).
    let node = STOPPED_OUTLET;
    if (handover.node) {
      const handlers = bridge.#handlers(0, isUdp(emulator) ? `port ${emulator.lport}` : `interface "${emulator.device}"`);
      node = nodePeer ? udpOutlet(io.adoptUdp(handover.node, custody, handlers), nodePeer) : io.adoptDevice(handover.node, custody, handlers);
    }
    try {
      bridge.#link = io.adoptUdp(handover.link, custody, bridge.#handlers(1, `port ${spec.nio.lport}`));
    } catch (error) {
      await node.close();
      throw error;
    }
    bridge.#attach(node, nioPeer);
    Object.assign(bridge.counters, Counters.from(handover.counters));
    bridge.#stopped = handover.stopped;
    const now = performance.now();
    handover.queued.forEach((frames, dir) => {
      for (const { frame, wait } of frames) bridge.#queues[dir as Direction].push(frame, now + wait);
    });
    bridge.#schedule();
    return bridge;
  }

  /**
   * Stops here and hands both descriptors to `custody` for another worker to adopt, with what `adopt` needs. A capture
   * is closed (flushed): the pool restarts it on the adopter, appending to the same file.
   */
  detach(custody: Custody): BridgeHandover {
    const now = performance.now();
    const queued = this.#queues.map((queue) => queue.takeAll().map(({ item, due }): QueuedFrame => ({ frame: item, wait: Math.max(0, due - now) })));
    this.#closeLocal();
    return {
      spec: this.#applied,
      node: this.#stopped ? null : this.#node.detach(custody),
      link: this.#link.detach(custody),
      counters: this.counters.snapshot(),
      stopped: this.#stopped,
      queued: queued as BridgeHandover['queued'],
    };
  }

  #attach(node: Outlet, nioPeer: Peer): void {
    this.#node = node;
    this.#linkPeer = nioPeer;
    this.#linkKey = loopbackKey(nioPeer);
    this.#directory.add(nioPeer.family, this.#nio.lport, this.#linkReceiver, 'bridge');
  }

  /** Applies a live change: a new NIO (rebinding N only if lport changed), filters, suspend. */
  async update(patch: BridgePatch): Promise<void> {
    const chain = patch.filters ? await filterChain(patch.filters) : this.#chain;
    if (patch.nio) {
      const peer = await resolvePeer(patch.nio.rhost, patch.nio.rport);
      if (patch.nio.lport !== this.#nio.lport || bindAddress(peer, false) !== bindAddress(this.#linkPeer, false)) {
        const socket = await this.#io.openUdp(patch.nio.lport, bindAddress(peer, false), this.#handlers(1, `port ${patch.nio.lport}`));
        const old = this.#link;
        this.#link = socket;
        this.#directory.remove(this.#linkPeer.family, this.#nio.lport, this.#linkReceiver);
        this.#directory.add(peer.family, patch.nio.lport, this.#linkReceiver, 'bridge');
        await old.close();
      }
      this.#linkPeer = peer;
      this.#linkKey = loopbackKey(peer);
      this.#nio = patch.nio;
    }
    this.#chain = chain;
    if (patch.suspend !== undefined) this.#suspend = patch.suspend;
    this.#applied = { ...this.#applied, ...patch };
  }

  async startCapture(file: string, append: boolean): Promise<void> {
    // Loaded with the first capture, not with every worker.
    const { PcapWriter } = await import('./pcap-writer.ts');
    if (this.#capture) throw new Error(`Packet capture is already active on bridge "${this.id}"`);
    this.#capture = new PcapWriter(
      file,
      append,
      (error) => this.#emit({ level: 'error', message: `Capture of bridge "${this.id}" to "${file}" failed: ${error.message}` }),
      () => this.#io.holdLoop(),
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
    this.#queues[0].clear();
    this.#queues[1].clear();
    this.#closeLocal();
    await Promise.all([this.#link.close(), this.#node.close()]);
  }

  /** What this worker holds for the bridge besides its descriptors: timer, capture, directory entry. */
  #closeLocal(): void {
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer = null;
    this.#letTimerGo();
    this.stopCapture();
    this.#directory.remove(this.#linkPeer.family, this.#nio.lport, this.#linkReceiver);
  }

  async #openNodeSide(endpoint: NodeEndpoint): Promise<Outlet> {
    if (isUdp(endpoint)) {
      const peer = await resolvePeer(endpoint.rhost, endpoint.rport);
      return udpOutlet(await this.#io.openUdp(endpoint.lport, bindAddress(peer, true), this.#handlers(0, `port ${endpoint.lport}`)), peer);
    }
    if (endpoint.kind === 'raw') return this.#io.openRaw(endpoint.device, this.#handlers(0, `interface "${endpoint.device}"`));
    const tap = await this.#io.openTap(endpoint.device, this.#handlers(0, `TAP device "${endpoint.device}"`));
    if (endpoint.netns) {
      const { pid, name, mac } = endpoint.netns;
      try {
        validateInterfaceName(name);
        // The host-command modules (child_process...) load with the first TAP moved into a namespace, not with every worker.
        const { moveLinkIntoNamespace } = await import('../hostnet/links.ts');
        await moveLinkIntoNamespace(tap.device, pid, name, mac);
      } catch (error) {
        await tap.close();
        throw error;
      }
    }
    return tap;
  }

  /** `receivedOn` 0 = node side (frames go towards the link, direction 0), 1 = link side (towards the node). */
  #handlers(receivedOn: Direction, what: string): EndpointHandlers {
    return {
      frame: receivedOn === 1 ? this.#linkReceiver : (frame) => this.#receive(frame, 0),
      drop: (reason) => this.counters.drop(reason),
      error: (error, fatal) => {
        if (!fatal) {
          this.#emit({ level: 'warning', message: `Bridge "${this.id}" ${what}: ${error.message}` });
          return;
        }
        this.#stopped = true;
        this.#emit({ level: 'error', message: `Bridge "${this.id}" stopped: ${what} failed (${error.message})` });
        if (this.#node) void this.#node.close();
      },
    };
  }

  #receive(frame: Uint8Array, dir: Direction, shared = false): void {
    const counters = this.counters;
    counters.packetsIn += 1;
    counters.bytesIn += frame.length;
    if (this.#suspend) {
      counters.drop('suspend');
      return;
    }
    if (this.#stopped) {
      counters.drop('endpoint_down');
      return;
    }
    const queue = this.#queues[dir];
    if (this.#chain.filters.length === 0 && queue.size === 0) {
      this.#send(frame, dir);
      return;
    }
    // Other ports of a fabric got the same bytes: corrupt a copy, not theirs.
    if (shared && this.#chain.modifiesFrames) frame = new Uint8Array(frame);
    const now = performance.now();
    const release = this.#chain.run(frame, dir, now);
    if (release === DROP) {
      counters.drop(this.#chain.dropReason);
    } else if (release <= now && queue.size === 0) {
      this.#send(frame, dir);
    } else if (queue.size >= MAX_QUEUED) {
      counters.drop('queue_full');
    } else {
      // A copy: the frame may be a view into the I/O's receive ring, reused after this batch.
      queue.push(new Uint8Array(frame), release);
      this.#schedule();
    }
  }

  #send(frame: Uint8Array, dir: Direction): void {
    this.counters.packetsOut += 1;
    this.counters.bytesOut += frame.length;
    this.#capture?.write(frame, epochMicros());
    if (dir === 1) {
      this.#node.send(frame);
      return;
    }
    const local = this.#directory.receiver(this.#linkKey);
    if (local) local(frame);
    else this.#link.send(frame, this.#linkPeer);
  }

  /** One timer for both queues, armed for the earliest release time (re-armed if a queue head became earlier). */
  #schedule(): void {
    const next = Math.min(this.#queues[0].nextDue(), this.#queues[1].nextDue());
    if (next >= this.#timerAt) return;
    if (this.#timer) clearTimeout(this.#timer);
    this.#timerAt = next;
    this.#timer = setTimeout(() => this.#release(), Math.max(0, next - performance.now()));
    this.#timerHeld ??= this.#io.holdLoop();
  }

  #release(): void {
    this.#timer = null;
    this.#timerAt = Infinity;
    const now = performance.now();
    this.#queues[0].drain(now, this.#sendTowardsLink);
    this.#queues[1].drain(now, this.#sendTowardsEmulator);
    this.#schedule();
    if (!this.#timer) this.#letTimerGo();
  }

  #letTimerGo(): void {
    this.#timerHeld?.();
    this.#timerHeld = null;
  }
}
