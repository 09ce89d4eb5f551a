/** The contract between compute nodes and the packet relay (implemented by the tinypool worker pool). */

/** One UDP endpoint of a bridge: the relay binds `lport` (all addresses) and sends to `rhost:rport`. */
export type UdpEndpoint = { lport: number; rhost: string; rport: number };

/** GNS3 link filters: `{"packet_loss": [10], "delay": [50, 5], "bpf": ["icmp"], ...}`. */
export type LinkFilters = Record<string, Array<string | number>>;

export type BridgeSpec = {
  /** Emulator side: relay binds the tunnel port B and sends to the emulator's port A on 127.0.0.1. */
  emulator: UdpEndpoint;
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
  close(): Promise<void>;
}
