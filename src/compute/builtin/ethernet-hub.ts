/** The `ethernet_hub` node: a repeater hosted by the relay. */
import type { NodeInit } from '../node.ts';
import { FabricNode } from './fabric-node.ts';
import type { HubCreate, HubPort, HubUpdate } from './schemas.ts';
import { fail } from '../../errors/index.ts';

const defaultPorts = (count: number): HubPort[] =>
  Array.from({ length: count }, (_, i) => ({ name: `Ethernet${i}`, port_number: i }));

export class EthernetHubNode extends FabricNode {
  readonly type = 'ethernet_hub';
  portsMapping: HubPort[];

  private constructor(init: NodeInit, ports: HubPort[]) {
    super(init);
    this.portsMapping = ports;
  }

  static async create(init: NodeInit, fields: HubCreate): Promise<EthernetHubNode> {
    const node = new EthernetHubNode(init, fields.ports_mapping ?? defaultPorts(8));
    await node.attach('ethernet_hub');
    return node;
  }

  protected portNumbers(): number[] {
    return this.portsMapping.map((port) => port.port_number);
  }

  protected portConfig(): undefined {
    return undefined;
  }

  async update(fields: HubUpdate): Promise<void> {
    if (fields.ports_mapping && JSON.stringify(fields.ports_mapping) !== JSON.stringify(this.portsMapping)) {
      if (this.connected) throw fail('HUB_CONNECTED');
      // GNS3 renames and renumbers the ports in array order.
      this.portsMapping = defaultPorts(fields.ports_mapping.length);
    }
    if (fields.name) this.name = fields.name;
    this.emitUpdated();
  }

  toJSON() {
    return this.describe({ ports_mapping: this.portsMapping });
  }
}
