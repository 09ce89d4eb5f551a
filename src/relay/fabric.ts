/** A hub or switch inside a relay worker: one UDP socket per connected port, the forwarding logic, per-port taps. */
import { Counters } from './counters.ts';
import type { RelayIo, UdpSocket } from './io/types.ts';
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
      const receiver: LinkReceiver = (frame) => this.#receive(number, frame);
      const socket = await this.#io.openUdp(endpoint.lport, peer.family === 6 ? '::' : '0.0.0.0', {
        frame: receiver,
        drop: (reason) => this.#ports.get(number)?.counters.drop(reason),
        error: (error) => this.#emit({ level: 'warning', message: `Fabric "${this.id}" port ${number}: ${error.message}` }),
      });
      if (existing) {
        this.#unlist(existing);
        await existing.socket.close();
      }
      this.#directory.add(peer.family, endpoint.lport, receiver, 'fabric');
      this.#ports.set(number, {
        endpoint,
        config,
        socket,
        peer,
        receiver,
        linkKey: loopbackKey(peer),
        counters: existing?.counters ?? new Counters(),
        capture: existing?.capture ?? null,
      });
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
    port.capture = new PcapWriter(file, append, (error) =>
      this.#emit({ level: 'error', message: `Capture of fabric "${this.id}" port ${number} failed: ${error.message}` }),
    this.#linkType);
  }

  stopCapture(number: number): void {
    const port = this.#ports.get(number);
    port?.capture?.close();
    if (port) port.capture = null;
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
