/**
 * The `cloud` node: joins a link to the host's network. Each connected port is a relay bridge between the link NIO
 * and the port's host side: a UDP tunnel (lport/rhost/rport), a raw socket on a host interface, or a TAP device
 * (see host-port.ts). As in GNS3, a port that cannot be wired does not fail the request: 201, status "stopped" and a
 * log.error; only a missing capability is a 409, since no port of that kind can work on this agent.
 */
import type { Nio } from '../schemas.ts';
import { hostInterfaces } from '../../hostnet/host-interfaces.ts';
import { defaultRouteInterfaces, linkMaster } from '../../hostnet/links.ts';
import type { NodeEndpoint } from '../../relay/types.ts';
import { BaseNode } from '../node.ts';
import type { NodeInit, PortRef } from '../node.ts';
import { HostPortError, openHostPort, type HostPort } from './host-port.ts';
import type { CloudCreate, CloudPort, CloudUpdate } from './schemas.ts';
import { fail } from '../../errors/index.ts';


export class CloudNode extends BaseNode {
  readonly type: string = 'cloud';
  readonly module = 'builtin';
  portsMapping: CloudPort[];
  remoteConsoleHost: string;
  remoteConsolePort: number | null;
  remoteConsoleType: string;
  remoteConsoleHttpPath: string;
  /** Port keys whose bridge exists in the relay, with the host side opened for it (null for a UDP mapping). */
  readonly #bridges = new Map<string, HostPort | null>();
  protected override readonly portErrors = { unconnected: 'CLOUD_PORT_NOT_ALLOCATED', taken: 'CLOUD_PORT_NOT_FREE' } as const;

  protected constructor(init: NodeInit, fields: CloudCreate) {
    super(init);
    const ports = fields.ports_mapping?.length
      ? fields.ports_mapping
      : hostInterfaces()
        .filter((i) => !i.special)
        .map((i, n): CloudPort => ({ name: i.name, port_number: n, type: 'ethernet', interface: i.name }));
    this.portsMapping = CloudNode.#renumber(ports);
    this.remoteConsoleHost = fields.remote_console_host ?? '';
    this.remoteConsolePort = fields.remote_console_port === undefined ? 23 : fields.remote_console_port;
    this.remoteConsoleType = fields.remote_console_type ?? 'none';
    this.remoteConsoleHttpPath = fields.remote_console_http_path ?? '/';
    this.status = 'started';
  }

  static async create(init: NodeInit, fields: CloudCreate): Promise<CloudNode> {
    return new CloudNode(init, fields);
  }

  /** GNS3 rewrites `port_number` to the index in the array. */
  static #renumber(ports: CloudPort[]): CloudPort[] {
    return ports.map((port, i) => ({ ...port, port_number: i }));
  }

  /**
   * Re-wires every port; fails (409) if a NIO sits on a port the mapping lacks, or if a port cannot be wired (the
   * cloud then stays stopped until that port's NIO goes), as GNS3 does.
   */
  async start(): Promise<void> {
    for (const key of this.nios.keys()) {
      const port = Number(key);
      if (!this.#mapping(port)) throw fail('CLOUD_PORT_MISSING', port, this.name);
    }
    this.status = 'started';
    let failure: string | null = null;
    for (const [key, nio] of this.nios) failure = (await this.#wire(key, nio)) ?? failure;
    if (failure !== null) throw fail('CLOUD_PORT_FAILED', failure);
    this.emitUpdated();
  }

  /** GNS3's cloud ignores stop: the bridges keep forwarding and the status stays "started". */
  async stop(): Promise<void> {}

  async update(fields: CloudUpdate): Promise<void> {
    if (fields.ports_mapping) {
      const ports = CloudNode.#renumber(fields.ports_mapping);
      if (JSON.stringify(ports) !== JSON.stringify(this.portsMapping)) {
        if (this.nios.size > 0) throw fail('CLOUD_CONNECTED');
        this.portsMapping = ports;
      }
    }
    if (fields.name) this.name = fields.name;
    if (fields.remote_console_host !== undefined) this.remoteConsoleHost = fields.remote_console_host;
    if (fields.remote_console_port !== undefined) this.remoteConsolePort = fields.remote_console_port;
    if (fields.remote_console_type !== undefined) this.remoteConsoleType = fields.remote_console_type;
    if (fields.remote_console_http_path !== undefined) this.remoteConsoleHttpPath = fields.remote_console_http_path;
    this.emitUpdated();
  }

  /** `adapter_number` is ignored; any port number is accepted (a missing mapping is reported after the 201). */
  protected portKey(ref: PortRef): string {
    return String(ref.port);
  }

  override async addNio(ref: PortRef, nio: Nio): Promise<Nio> {
    try {
      return await super.addNio(ref, nio);
    } catch (err) {
      // A refused NIO (missing capability) leaves nothing behind; a port already taken keeps the NIO it has.
      const key = this.portKey(ref);
      if (this.nios.get(key) === nio) this.nios.delete(key);
      throw err;
    }
  }

  protected async nioChanged(key: string, nio: Nio): Promise<void> {
    if (this.#bridges.has(key) && nio.type === 'nio_udp') {
      await this.host.relay.updateBridge(this.#bridgeId(key), {
        nio: { lport: nio.lport, rhost: nio.rhost, rport: nio.rport },
        filters: nio.filters,
        suspend: nio.suspend,
      });
      return;
    }
    await this.#wire(key, nio);
  }

  protected async nioRemoved(key: string): Promise<void> {
    await this.#unwire(key);
  }

  /** Deletes a port's bridge, then its host side (the relay lets go of a TAP device before the agent deletes it). */
  async #unwire(key: string): Promise<void> {
    if (!this.#bridges.has(key)) return;
    const hostPort = this.#bridges.get(key);
    this.#bridges.delete(key);
    try {
      await this.host.relay.deleteBridge(this.#bridgeId(key));
    } finally {
      await hostPort?.close();
    }
  }

  protected async captureChanged(key: string, file: string | null): Promise<void> {
    if (!this.#bridges.has(key)) return;
    if (file) await this.host.relay.startCapture(this.#bridgeId(key), file);
    else await this.host.relay.stopCapture(this.#bridgeId(key));
  }

  override async close(): Promise<void> {
    await Promise.all([...this.#bridges.keys()].map((key) => this.#unwire(key)));
    await super.close();
  }

  #bridgeId(key: string): string {
    return `${this.id}-${key}`;
  }

  #mapping(port: number): CloudPort | undefined {
    return this.portsMapping[port];
  }

  #missing(port: number): string {
    return `Port ${port} doesn't exist on cloud '${this.name}'`;
  }

  /**
   * Creates the bridge of a port. Failures do not fail the request (GNS3 stores the NIO and answers 201): they stop
   * the cloud and raise a log.error notification instead, and the message is returned. A missing capability is a 409.
   */
  async #wire(key: string, nio: Nio): Promise<string | null> {
    const port = Number(key);
    const mapping = this.#mapping(port);
    if (!mapping) return this.#fail(this.#missing(port));
    if (nio.type !== 'nio_udp') return this.#fail(`NIO of type ${nio.type} is not supported`);
    await this.#unwire(key);
    let hostPort: HostPort | null = null;
    let endpoint: NodeEndpoint;
    if (mapping.type === 'udp') {
      endpoint = { lport: mapping.lport, rhost: mapping.rhost, rport: mapping.rport };
    } else {
      try {
        hostPort = await openHostPort(this.host.hostNetwork, port, mapping, this.name);
      } catch (err) {
        if (err instanceof HostPortError) return this.#fail(err.message);
        throw err;
      }
      endpoint = hostPort.endpoint;
      this.#warnIfUplink(mapping.interface);
    }
    const id = this.#bridgeId(key);
    try {
      await this.host.relay.createBridge(id, {
        emulator: endpoint,
        nio: { lport: nio.lport, rhost: nio.rhost, rport: nio.rport },
        filters: nio.filters,
        suspend: nio.suspend,
      });
    } catch (error) {
      await hostPort?.close();
      return this.#fail(`Cannot bridge port ${key} of cloud '${this.name}': ${(error as Error).message}`);
    }
    this.#bridges.set(key, hostPort);
    const capture = this.captures.get(key);
    if (capture) await this.host.relay.startCapture(id, capture);
    return null;
  }

  /** Frames injected on the interface carrying the host's default route reach the host's real network. */
  #warnIfUplink(name: string): void {
    const via = defaultRouteInterfaces().find((uplink) => uplink === name || linkMaster(uplink) === name);
    if (!via) return;
    const message = `Cloud '${this.name}' is connected to ${name}, which carries this host's default route` +
      (via === name ? '' : ` (through ${via})`) + ": its nodes share the host's uplink";
    this.host.notify('log.warning', { message }, this.project.id);
  }

  #fail(message: string): string {
    this.host.notify('log.error', { message }, this.project.id);
    this.setStatus('stopped');
    return message;
  }

  toJSON(): Record<string, unknown> {
    return {
      ...this.describe({
        remote_console_host: this.remoteConsoleHost,
        remote_console_port: this.remoteConsolePort,
        remote_console_type: this.remoteConsoleType,
        remote_console_http_path: this.remoteConsoleHttpPath,
        ports_mapping: this.portsMapping,
        interfaces: hostInterfaces().map(({ name, type, special }) => ({ name, type, special })),
      }),
      node_directory: this.directory,
    };
  }
}
