/** The `ethernet_switch` node: a learning VLAN switch hosted by the relay. */
import type { FabricPortConfig } from '../../relay/types.ts';
import type { NodeInit } from '../node.ts';
import { FabricNode } from './fabric-node.ts';
import type { SwitchCreate, SwitchPort, SwitchUpdate } from './schemas.ts';
import { fail } from '../../errors/index.ts';

const defaultPorts = (): SwitchPort[] =>
  Array.from({ length: 8 }, (_, i) => ({ port_number: i, name: `Ethernet${i}`, type: 'access', vlan: 1 }));

export class EthernetSwitchNode extends FabricNode {
  readonly type = 'ethernet_switch';
  portsMapping: SwitchPort[];
  console: number | null = null;
  consoleType: 'telnet' | 'none';

  private constructor(init: NodeInit, ports: SwitchPort[], consoleType: 'telnet' | 'none') {
    super(init);
    this.portsMapping = ports;
    this.consoleType = consoleType;
  }

  static async create(init: NodeInit, fields: SwitchCreate): Promise<EthernetSwitchNode> {
    const node = new EthernetSwitchNode(init, fields.ports_mapping ?? defaultPorts(), fields.console_type ?? 'none');
    const { tcpPorts } = init.host;
    // GNS3 reserves a console port for every switch, even with console_type "none".
    node.console = fields.console != null
      ? await tcpPorts.reserve(fields.console, node.owner)
      : await tcpPorts.allocate(node.owner);
    try {
      await node.attach('ethernet_switch');
    } catch (error) {
      tcpPorts.releaseOwnedBy(node.owner);
      throw error;
    }
    node.#warnTelnet();
    return node;
  }

  #warnTelnet(): void {
    if (this.consoleType !== 'telnet') return;
    this.host.notify(
      'log.warning',
      { message: 'Telnet access for switches is not available in this version of GNS3' },
      this.project.id,
    );
  }

  protected portNumbers(): number[] {
    return this.portsMapping.map((port) => port.port_number);
  }

  protected portConfig(number: number): FabricPortConfig {
    const port = this.portsMapping.find((p) => p.port_number === number)!;
    return { type: port.type, vlan: port.vlan ?? 1, ...(port.ethertype ? { ethertype: port.ethertype } : {}) };
  }

  async update(fields: SwitchUpdate): Promise<void> {
    if (fields.ports_mapping) {
      if (this.connected && fields.ports_mapping.length !== this.portsMapping.length) {
        throw fail('SWITCH_CONNECTED');
      }
      // GNS3 renames and renumbers the ports in array order, keeping each port's VLAN settings.
      this.portsMapping = fields.ports_mapping.map((port, i) => ({ ...port, name: `Ethernet${i}`, port_number: i }));
      await this.reapplyPorts();
    }
    if (fields.console_type != null && fields.console_type !== this.consoleType) {
      this.consoleType = fields.console_type;
      this.#warnTelnet();
    }
    if (fields.name) this.name = fields.name;
    this.emitUpdated();
  }

  toJSON() {
    return this.describe({ console: this.console, console_type: this.consoleType, ports_mapping: this.portsMapping });
  }
}
