/**
 * The `nat` node: a cloud with one fixed port, `nat0`, on the host's NAT network. Like GNS3 it attaches to libvirt's
 * `virbr0` (nat_interface) when the host has it; otherwise to patchbay's own NAT bridge, with DHCP and masquerading,
 * made for the first NAT node and removed with the last.
 */
import type { NatAttachment } from '../../hostnet/host-network.ts';
import type { NodeInit } from '../node.ts';
import { CloudNode } from './cloud.ts';
import type { NatCreate, NatUpdate } from './schemas.ts';

export class NatNode extends CloudNode {
  override readonly type = 'nat';
  readonly #attachment: NatAttachment;

  private constructor(init: NodeInit, attachment: NatAttachment) {
    super(init, { name: init.name, ports_mapping: [{ name: 'nat0', port_number: 0, type: 'ethernet', interface: attachment.interface }] });
    this.#attachment = attachment;
  }

  /** Attaches to the NAT network first: a 409 (missing capability, bridge name taken, ...) creates no node. */
  static async open(init: NodeInit, _fields: NatCreate): Promise<NatNode> {
    return new NatNode(init, await init.host.hostNetwork.acquireNat());
  }

  /** Only the name changes; `ports_mapping` is ignored as GNS3 ignores it. */
  override async update(fields: NatUpdate): Promise<void> {
    if (fields.name) this.name = fields.name;
    this.emitUpdated();
  }

  override async close(): Promise<void> {
    try {
      await super.close();
    } finally {
      await this.#attachment.release();
    }
  }

  override toJSON(): Record<string, unknown> {
    return this.describe({ ports_mapping: this.portsMapping });
  }
}
