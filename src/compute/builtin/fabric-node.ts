/**
 * Hub and switch nodes: no process, always "started"; each is a fabric in the relay whose ports are the node's NIOs.
 * GNS3 2.2 backs these with Dynamips; we forward inside the relay workers instead.
 */
import { randomUUID } from 'node:crypto';
import type { Nio } from '../schemas.ts';
import type { FabricKind, FabricPortConfig } from '../../relay/types.ts';
import { BaseNode } from '../node.ts';
import type { NodeInit, PortRef } from '../node.ts';
import { fail } from '../../errors/index.ts';

export abstract class FabricNode extends BaseNode {
  readonly module = 'builtin';
  /** Relay id, unique per node instance (two racing creates of one node id must not share a fabric). */
  protected readonly fabricId: string;
  protected override readonly portErrors = { unconnected: 'PORT_NOT_ALLOCATED', taken: 'PORT_NOT_FREE' } as const;

  protected constructor(init: NodeInit) {
    super(init);
    this.fabricId = `${init.id}/${randomUUID()}`;
    this.status = 'started';
  }

  /** Creates the relay fabric; call once from the factory. */
  protected async attach(kind: FabricKind): Promise<void> {
    await this.host.relay.createFabric(this.fabricId, kind);
  }

  /** Port numbers of the node's `ports_mapping`. */
  protected abstract portNumbers(): number[];
  /** VLAN settings of a port (hubs have none). */
  protected abstract portConfig(port: number): FabricPortConfig | undefined;

  get connected(): boolean {
    return this.nios.size > 0;
  }

  async start(): Promise<void> {}
  async stop(): Promise<void> {}

  protected portKey(ref: PortRef): string {
    if (!this.portNumbers().includes(ref.port)) throw fail('PORT_MISSING', ref.port);
    return String(ref.port);
  }

  /** GNS3 has no NIO update route for hubs and switches (link filters go on the other end of the link). */
  override async updateNio(): Promise<void> {
    throw fail('NIO_UPDATE_UNSUPPORTED', this.type);
  }

  protected async nioChanged(key: string, nio: Nio): Promise<void> {
    if (nio.type !== 'nio_udp') throw fail('NIO_TYPE_UNSUPPORTED', nio.type);
    const port = Number(key);
    try {
      await this.host.relay.setFabricPort(this.fabricId, port, nio, this.portConfig(port));
    } catch (error) {
      this.nios.delete(key);
      throw fail('PORT_CONNECT_FAILED', port, (error as Error).message);
    }
  }

  protected async nioRemoved(key: string): Promise<void> {
    await this.host.relay.setFabricPort(this.fabricId, Number(key), null);
  }

  protected async captureChanged(key: string, file: string | null): Promise<void> {
    if (file) await this.host.relay.startFabricCapture(this.fabricId, Number(key), file);
    else await this.host.relay.stopFabricCapture(this.fabricId, Number(key));
  }

  /** Re-applies VLAN settings to every connected port (after a ports_mapping change). */
  protected async reapplyPorts(): Promise<void> {
    for (const [key, nio] of this.nios) {
      if (nio.type === 'nio_udp') await this.host.relay.setFabricPort(this.fabricId, Number(key), nio, this.portConfig(Number(key)));
    }
  }

  override async close(): Promise<void> {
    await this.host.relay.deleteFabric(this.fabricId).catch(() => undefined);
    await super.close();
  }
}
