/** A hub or switch inside a relay worker: one UDP socket per connected port, the forwarding logic, per-port taps. */
import { Counters } from './counters.ts';
import type { Custody } from './custody.ts';
import type { EndpointHandlers, RelayIo, UdpSocket } from './io/types.ts';
import type { FabricPortHandover } from './protocol.ts';
import { loopbackKey } from './loopback.ts';
import type { LinkReceiver, LoopbackDirectory } from './loopback.ts';
import type { PcapWriter } from './pcap-writer.ts';
import type { Forwarder } from './switching/forwarder.ts';
import type { BridgeStats, FabricKind, FabricPortConfig, RelayEvent, UdpEndpoint } from './types.ts';
import { epochMicros } from './wall-clock.ts';
import { resolvePeer } from './peer.ts';
import type { Peer } from './peer.ts';

const DEFAULT_PORT_CONFIG: FabricPortConfig = { type: 'access', vlan: 1 };

/**
 * Forwarding logic and capture link type (DLT_EN10MB, DLT_FRELAY, DLT_ATM_RFC1483 as Dynamips writes) per kind.
 * A kind's module loads with its first fabric in the worker, not with the worker: the ATM module builds its CRC table
 * at load in a loop V8 optimises at once, and a worker's first optimised function costs it ≈ 1.8 MiB (issue 12).
 */
const KINDS: Record<FabricKind, { logic: () => Promise<Forwarder>; linkType: number }> = {
  ethernet_hub: { logic: async () => new (await import('./switching/hub.ts')).HubLogic(), linkType: 1 },
  ethernet_switch: { logic: async () => new (await import('./switching/switch.ts')).SwitchLogic(), linkType: 1 },
  frame_relay_switch: { logic: async () => new (await import('./switching/frame-relay.ts')).FrameRelayLogic(), linkType: 107 },
  atm_switch: { logic: async () => new (await import('./switching/atm.ts')).AtmLogic(), linkType: 11 },
};

type Port = {
  endpoint: UdpEndpoint;
  config: FabricPortConfig;
  socket: UdpSocket;
  peer: Peer;
  /** The socket's receive path, as listed in the worker's LoopbackDirectory. */
  receiver: LinkReceiver;
  /** See LoopbackDirectory: where the port's datagrams land if they stay on this host, -1 if they leave it. */
  linkKey: number;
  counters: Counters;
  capture: PcapWriter | null;
};

export class Fabric {
  readonly id: string;
  #logic: Forwarder;
  #linkType: number;
  #ports = new Map<number, Port>();
  #emit: (event: RelayEvent) => void;
  #io: RelayIo;
  #directory: LoopbackDirectory;
  #deliver = (port: number, frame: Uint8Array) => this.#send(port, frame);

  private constructor(id: string, logic: Forwarder, linkType: number, io: RelayIo, emit: (event: RelayEvent) => void, directory: LoopbackDirectory) {
    this.id = id;
    this.#logic = logic;
    this.#linkType = linkType;
    this.#emit = emit;
    this.#io = io;
    this.#directory = directory;
  }

  static async open(id: string, kind: FabricKind, io: RelayIo, emit: (event: RelayEvent) => void, directory: LoopbackDirectory): Promise<Fabric> {
    if (!Object.hasOwn(KINDS, kind)) throw new Error(`Unknown fabric kind "${kind}"`);
    const { logic, linkType } = KINDS[kind];
    return new Fabric(id, await logic(), linkType, io, emit, directory);
  }

  /**
   * The fabric another worker detached, its ports continuing on the same descriptors with their counters. What the
   * forwarding logic had learnt (a switch's MAC table) does not travel: it floods until it has learnt again.
   */
  static async adopt(
    id: string,
    kind: FabricKind,
    ports: FabricPortHandover[],
    custody: Custody,
    io: RelayIo,
    emit: (event: RelayEvent) => void,
    directory: LoopbackDirectory,
  ): Promise<Fabric> {
    const fabric = await Fabric.open(id, kind, io, emit, directory);
    const peers = await Promise.all(ports.map(({ endpoint }) => resolvePeer(endpoint.rhost, endpoint.rport)));
    try {
      ports.forEach(({ port, endpoint, config, link, counters }, i) => {
        fabric.#logic.setPort(port, config);
        const receiver = fabric.#receiverOf(port);
        const socket = io.adoptUdp(link, custody, fabric.#handlers(port, receiver));
        fabric.#addPort(port, { endpoint, config, socket, peer: peers[i]!, receiver, counters: Counters.from(counters), capture: null });
      });
    } catch (error) {
      await fabric.close();
      throw error;
    }
    return fabric;
  }

  /** Stops here and hands every port's descriptor to `custody`; captures are closed (the pool restarts them). */
  detach(custody: Custody): FabricPortHandover[] {
    const ports = [...this.#ports.entries()];
    this.#ports.clear();
    return ports.map(([port, { endpoint, config, socket, counters, capture, receiver, peer }]) => {
      this.#directory.remove(peer.family, endpoint.lport, receiver);
      capture?.close();
      return { port, endpoint, config, link: socket.detach(custody), counters: counters.snapshot() };
    });
  }

  /** Connects, re-targets, reconfigures or (endpoint null) disconnects a port. */
  async setPort(number: number, endpoint: UdpEndpoint | null, config = DEFAULT_PORT_CONFIG): Promise<void> {
    const existing = this.#ports.get(number);
    if (endpoint === null) {
      if (!existing) return;
      this.#ports.delete(number);
      this.#logic.setPort(number, null);
      this.#unlist(existing);
      existing.capture?.close();
      await existing.socket.close();
      return;
    }
    // The logic validates the config first, so a bad config changes nothing.
    this.#logic.setPort(number, config);
    try {
      const peer = await resolvePeer(endpoint.rhost, endpoint.rport);
      if (existing && existing.endpoint.lport === endpoint.lport && existing.peer.family === peer.family) {
        Object.assign(existing, { endpoint, peer, config, linkKey: loopbackKey(peer) });
        return;
      }
      const receiver = this.#receiverOf(number);
      const socket = await this.#io.openUdp(endpoint.lport, peer.family === 6 ? '::' : '0.0.0.0', this.#handlers(number, receiver));
      if (existing) {
        this.#unlist(existing);
        await existing.socket.close();
      }
      const counters = existing?.counters ?? new Counters();
      this.#addPort(number, { endpoint, config, socket, peer, receiver, counters, capture: existing?.capture ?? null });
    } catch (error) {
      this.#logic.setPort(number, existing ? existing.config : null);
      throw error;
    }
  }

  async startCapture(number: number, file: string, append: boolean): Promise<void> {
    // Loaded with the first capture, not with every worker (a bridge's captures likewise).
    const { PcapWriter } = await import('./pcap-writer.ts');
    const port = this.#port(number);
    if (port.capture) throw new Error(`Packet capture is already active on port ${number}`);
    port.capture = new PcapWriter(
      file,
      append,
      (error) => this.#emit({ level: 'error', message: `Capture of fabric "${this.id}" port ${number} failed: ${error.message}` }),
      () => this.#io.holdLoop(),
      this.#linkType,
    );
  }

  stopCapture(number: number): void {
    const port = this.#ports.get(number);
    port?.capture?.close();
    if (port) port.capture = null;
  }

  /** Frames received on all ports so far. */
  received(): number {
    let total = 0;
    for (const port of this.#ports.values()) total += port.counters.packetsIn;
    return total;
  }

  stats(number: number): BridgeStats {
    return this.#port(number).counters.snapshot();
  }

  async close(): Promise<void> {
    const ports = [...this.#ports.values()];
    this.#ports.clear();
    for (const port of ports) {
      this.#unlist(port);
      port.capture?.close();
    }
    await Promise.all(ports.map((port) => port.socket.close()));
  }

  #receiverOf(number: number): LinkReceiver {
    return (frame) => this.#receive(number, frame);
  }

  #handlers(number: number, receiver: LinkReceiver): EndpointHandlers {
    return {
      frame: receiver,
      drop: (reason) => this.#ports.get(number)?.counters.drop(reason),
      error: (error) => this.#emit({ level: 'warning', message: `Fabric "${this.id}" port ${number}: ${error.message}` }),
    };
  }

  #addPort(number: number, port: Omit<Port, 'linkKey'>): void {
    this.#directory.add(port.peer.family, port.endpoint.lport, port.receiver, 'fabric');
    this.#ports.set(number, { ...port, linkKey: loopbackKey(port.peer) });
  }

  #unlist(port: Port): void {
    this.#directory.remove(port.peer.family, port.endpoint.lport, port.receiver);
  }

  #port(number: number): Port {
    const port = this.#ports.get(number);
    if (!port) throw new Error(`Port ${number} of fabric "${this.id}" is not connected`);
    return port;
  }

  #receive(number: number, frame: Uint8Array): void {
    const port = this.#ports.get(number);
    if (!port) return;
    port.counters.packetsIn += 1;
    port.counters.bytesIn += frame.length;
    port.capture?.write(frame, epochMicros());
    const dropped = this.#logic.receive(number, frame, performance.now(), this.#deliver);
    if (dropped) port.counters.drop(dropped);
  }

  #send(number: number, frame: Uint8Array): void {
    const port = this.#ports.get(number)!;
    port.counters.packetsOut += 1;
    port.counters.bytesOut += frame.length;
    port.capture?.write(frame, epochMicros());
    const bridge = this.#directory.bridgeReceiver(port.linkKey);
    // Shared, not copied: the same frame may go out of several ports, so a bridge that alters frames (corrupt) copies
    // it first; one that delays it copies it into its queue. Otherwise it leaves from the receive ring as it came in.
    if (bridge) bridge(frame, true);
    else port.socket.send(frame, port.peer);
  }
}
