/**
 * The `frame_relay_switch` and `atm_switch` nodes: GNS3 runs each in a Dynamips hypervisor process; we host them as
 * relay fabrics (no process per node). Ports are whatever port numbers the links use; the `mappings` decide which
 * circuits connect them (see circuits.ts).
 */
import type { Nio } from '../schemas.ts';
import type { FabricPortConfig } from '../../relay/types.ts';
import type { NodeInit, PortRef } from '../node.ts';
import { portConfigs, type CircuitKind } from './circuits.ts';
import { FabricNode } from './fabric-node.ts';
import type { CircuitSwitchCreate, CircuitSwitchUpdate } from './schemas.ts';

const KIND_OF = { frame_relay_switch: 'frame_relay', atm_switch: 'atm' } as const satisfies Record<string, CircuitKind>;

export class CircuitSwitchNode extends FabricNode {
  readonly type: keyof typeof KIND_OF;
  mappings: Record<string, string>;
  #configs = new Map<number, FabricPortConfig>();

  private constructor(init: NodeInit, type: keyof typeof KIND_OF, mappings: Record<string, string>) {
    super(init);
    this.type = type;
    this.mappings = mappings;
  }

  static async create(init: NodeInit, type: keyof typeof KIND_OF, fields: CircuitSwitchCreate): Promise<CircuitSwitchNode> {
    const node = new CircuitSwitchNode(init, type, fields.mappings ?? {});
    await node.attach(type);
    return node;
  }

  /** Any port number can be linked; ports without a mapping simply carry nothing. */
  protected portNumbers(): number[] {
    return [];
  }

  protected override portKey(ref: PortRef): string {
    return String(ref.port);
  }

  protected portConfig(port: number): FabricPortConfig | undefined {
    return this.#configs.get(port);
  }

  /** Recomputes every port's circuits for the connected ports (all but `leaving`); returns the previous ones. */
  #recompute(leaving?: string): Map<number, FabricPortConfig> {
    const previous = this.#configs;
    const connected = new Set([...this.nios.keys()].filter((key) => key !== leaving).map(Number));
    this.#configs = portConfigs(KIND_OF[this.type], this.mappings, connected);
    return previous;
  }

  /** Pushes the ports whose circuits changed since `previous` (except `skip`, already pushed or leaving). */
  async #push(previous: Map<number, FabricPortConfig>, skip?: string): Promise<void> {
    for (const [port, config] of this.#configs) {
      if (String(port) === skip || JSON.stringify(previous.get(port)) === JSON.stringify(config)) continue;
      const nio = this.nios.get(String(port));
      if (nio?.type === 'nio_udp') await this.host.relay.setFabricPort(this.fabricId, port, nio, config);
    }
  }

  protected override async nioChanged(key: string, nio: Nio): Promise<void> {
    const previous = this.#recompute();
    try {
      await super.nioChanged(key, nio);
    } catch (error) {
      this.#recompute();
      throw error;
    }
    await this.#push(previous, key);
  }

  protected override async nioRemoved(key: string): Promise<void> {
    await super.nioRemoved(key);
    await this.#push(this.#recompute(key), key);
  }

  async update(fields: CircuitSwitchUpdate): Promise<void> {
    if (fields.name) this.name = fields.name;
    if (fields.mappings) {
      this.mappings = fields.mappings;
      await this.#push(this.#recompute());
    }
    this.emitUpdated();
  }

  toJSON() {
    return this.describe({ mappings: this.mappings });
  }
}
