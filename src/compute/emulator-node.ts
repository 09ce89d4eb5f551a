/**
 * Nodes backed by an emulator process (VPCS, QEMU). Each adapter gets a local UDP tunnel (the emulator listens on
 * port A and sends to port B); the relay bridges B with the adapter's NIO, so links, filters and captures change
 * while the emulator runs, exactly as GNS3 does with uBridge.
 */
import type { Nio } from './schemas.ts';
import { BaseNode } from './node.ts';
import type { Supervised } from '../process/supervised.ts';
import { fail } from '../errors/index.ts';

export type Tunnel = { emulatorPort: number; relayPort: number };

export abstract class EmulatorNode extends BaseNode {
  protected process: Supervised | null = null;
  /** Tunnels by port key, allocated at first start and kept until the node closes. */
  protected readonly tunnels = new Map<string, Tunnel>();
  /** Port keys whose bridge currently exists in the relay. */
  readonly #bridges = new Set<string>();

  /** Port keys of every adapter/port the emulator has. */
  protected abstract portKeys(): string[];

  /** Allocates the tunnel of every port that lacks one (called before launching the emulator). */
  protected async ensureTunnels(): Promise<void> {
    for (const key of this.portKeys()) {
      if (this.tunnels.has(key)) continue;
      const emulatorPort = await this.host.udpPorts.allocate(this.owner);
      const relayPort = await this.host.udpPorts.allocate(this.owner);
      this.tunnels.set(key, { emulatorPort, relayPort });
    }
  }

  protected bridgeId(key: string): string {
    return `${this.id}:${key}`;
  }

  /** Creates the relay bridge of a port, replacing any previous one. */
  protected async wire(key: string, nio: Nio): Promise<void> {
    if (nio.type !== 'nio_udp') throw fail('NIO_NOT_UDP');
    const tunnel = this.tunnels.get(key)!;
    const id = this.bridgeId(key);
    if (this.#bridges.has(key)) await this.unwire(key);
    await this.host.relay.createBridge(id, {
      emulator: { lport: tunnel.relayPort, rhost: '127.0.0.1', rport: tunnel.emulatorPort },
      nio: { lport: nio.lport, rhost: nio.rhost, rport: nio.rport },
      filters: nio.filters,
      suspend: nio.suspend,
    });
    this.#bridges.add(key);
    const capture = this.captures.get(key);
    if (capture) await this.host.relay.startCapture(id, capture);
  }

  protected async unwire(key: string): Promise<void> {
    if (!this.#bridges.delete(key)) return;
    await this.host.relay.deleteBridge(this.bridgeId(key));
  }

  /** Wires every port that has a NIO; called once the emulator process runs. */
  protected async wireAll(): Promise<void> {
    for (const [key, nio] of this.nios) await this.wire(key, nio);
  }

  protected async unwireAll(): Promise<void> {
    await Promise.all([...this.#bridges].map((key) => this.unwire(key)));
  }

  protected async nioChanged(key: string, nio: Nio): Promise<void> {
    if (this.status === 'stopped') return;
    if (this.#bridges.has(key) && nio.type === 'nio_udp') {
      await this.host.relay.updateBridge(this.bridgeId(key), {
        nio: { lport: nio.lport, rhost: nio.rhost, rport: nio.rport },
        filters: nio.filters,
        suspend: nio.suspend,
      });
    } else {
      await this.wire(key, nio);
    }
  }

  protected async nioRemoved(key: string): Promise<void> {
    await this.unwire(key);
  }

  protected async captureChanged(key: string, file: string | null): Promise<void> {
    if (!this.#bridges.has(key)) return;
    const id = this.bridgeId(key);
    if (file) await this.host.relay.startCapture(id, file);
    else await this.host.relay.stopCapture(id);
  }

  override async close(): Promise<void> {
    await super.close();
    this.tunnels.clear();
  }
}
