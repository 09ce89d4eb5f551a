/** The contract between compute nodes and the packet relay (implemented by the tinypool worker pool). */

/** One UDP endpoint of a bridge: the relay binds `lport` (all addresses) and sends to `rhost:rport`. */
export type UdpEndpoint = { lport: number; rhost: string; rport: number };

/** GNS3 link filters: `{"packet_loss": [10], "delay": [50, 5], "bpf": ["icmp"], ...}`. */
export type LinkFilters = Record<string, Array<string | number>>;

/**
 * A TAP device: the relay opens /dev/net/tun and attaches to `device`, creating it (no packet-info header,
 * non-persistent: it vanishes when the relay closes it) when it does not exist. Needs CAP_NET_ADMIN. The worker keeps
 * the file descriptor, so the device keeps working in another network namespace.
 */
export type TapEndpoint = { kind: 'tap'; device: string; netns?: TapNamespace };

/**
 * Where the relay moves a TAP device once it exists: into the network namespace of process `pid` (a container's first
 * process), renamed `name`, with MAC `mac`. Part of the bridge's spec, so a bridge rebuilt after a relay worker died
 * (whose device vanished with the worker's descriptor) puts its new device back in the container. What was configured
 * on the old device inside the container (addresses, routes) does not come back.
 */
export type TapNamespace = { pid: number; name: string; mac: string };

/** An AF_PACKET socket on host interface `device`: every protocol, promiscuous, the host's own frames ignored. Needs CAP_NET_RAW. */
export type RawEndpoint = { kind: 'raw'; device: string };

/** The node's side of a bridge: a UDP tunnel to an emulator (no `kind`), or a TAP device or host interface. */
export type NodeEndpoint = UdpEndpoint | TapEndpoint | RawEndpoint;

export type BridgeSpec = {
  /**
   * Node side. UDP: the relay binds the tunnel port B and sends to the emulator's port A on 127.0.0.1. TAP/raw
   * (native relay I/O only): frames are read from and written to the device.
   */
  emulator: NodeEndpoint;
  /** Link side: the NIO given through the API. */
  nio: UdpEndpoint;
  filters: LinkFilters;
  suspend: boolean;
};

export type BridgePatch = Partial<Pick<BridgeSpec, 'nio' | 'filters' | 'suspend'>>;

export type BridgeStats = {
  packets_in: number;
  packets_out: number;
  bytes_in: number;
  bytes_out: number;
  drops: Record<string, number>;
};

/** Switching fabrics the relay hosts in place of GNS3's Dynamips-backed hub, switch, Frame Relay and ATM switches. */
export type FabricKind = 'ethernet_hub' | 'ethernet_switch' | 'frame_relay_switch' | 'atm_switch';

/** A switch port's GNS3 mapping (`ports_mapping` entry without name/number); a hub ignores it. */
export type EthernetPortConfig = {
  type: 'access' | 'dot1q' | 'qinq';
  vlan: number;
  /** qinq only: outer tag TPID, "" / "0x8100" / "0x88A8" / "0x9100" / "0x9200". */
  ethertype?: string;
};

/** Frame Relay switch port: where a frame arriving with each DLCI goes, and the DLCI it leaves with. */
export type FrameRelayPortConfig = { type: 'frame_relay'; vcs: Array<{ dlci: number; port: number; dlciOut: number }> };

/** ATM switch port: virtual paths (VPI rewritten) and virtual channels (VPI and VCI rewritten) leaving from it. */
export type AtmPortConfig = {
  type: 'atm';
  vps: Array<{ vpi: number; port: number; vpiOut: number }>;
  vcs: Array<{ vpi: number; vci: number; port: number; vpiOut: number; vciOut: number }>;
};

export type FabricPortConfig = EthernetPortConfig | FrameRelayPortConfig | AtmPortConfig;

/** Events the relay raises towards the compute (turned into `log.*` notifications). */
export type RelayEvent = { level: 'info' | 'warning' | 'error'; message: string };

export interface Relay {
  createBridge(id: string, spec: BridgeSpec): Promise<void>;
  updateBridge(id: string, patch: BridgePatch): Promise<void>;
  deleteBridge(id: string): Promise<void>;
  /** Starts writing a pcap (DLT_EN10MB) of the frames forwarded through the bridge, after filters. */
  startCapture(id: string, file: string): Promise<void>;
  stopCapture(id: string): Promise<void>;
  stats(id: string): Promise<BridgeStats>;
  onEvent(listener: (event: RelayEvent) => void): void;

  /** A hub or switch; all its ports live in one worker. */
  createFabric(id: string, kind: FabricKind): Promise<void>;
  /**
   * Connects a fabric port to a UDP NIO (binds `lport`, sends to `rhost:rport`), or changes its endpoint or VLAN
   * config; `endpoint` null disconnects it. `config` defaults to access VLAN 1.
   */
  setFabricPort(id: string, port: number, endpoint: UdpEndpoint | null, config?: FabricPortConfig): Promise<void>;
  deleteFabric(id: string): Promise<void>;
  /** Captures both directions of one fabric port (pcap, DLT_EN10MB). */
  startFabricCapture(id: string, port: number, file: string): Promise<void>;
  stopFabricCapture(id: string, port: number): Promise<void>;
  /** Counters of one fabric port: in = received from its NIO, out = sent to it. */
  fabricStats(id: string, port: number): Promise<BridgeStats>;
  close(): Promise<void>;
}
