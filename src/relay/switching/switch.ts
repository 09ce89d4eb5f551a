/**
 * Ethernet switch logic (no I/O): MAC learning per VLAN, flooding of unknown/group destinations within the VLAN, and
 * GNS3's port types:
 *   access V — untagged member of VLAN V; tagged frames arriving on it are dropped (priority tags, VID 0, are accepted);
 *   dot1q N  — trunk carrying every VLAN: VLAN N (native) untagged, others tagged;
 *   qinq V   — tunnel port: whatever arrives (customer tags included) travels in VLAN V; on trunks it gets an outer
 *              tag whose TPID is the port's `ethertype` (0x8100 default, 0x88A8, 0x9100, 0x9200).
 * A frame keeps the TPID it arrived with on a trunk, so a QinQ outer tag survives trunk-to-trunk hops.
 */
import type { EthernetPortConfig, FabricPortConfig } from '../types.ts';
import type { Deliver, Forwarder } from './forwarder.ts';
import { isGroupAddress, macAt, MacTable } from './mac-table.ts';
import { outerTag, parseEthertype, popTag, pushTag, TPID_DOT1Q } from './vlan.ts';

type Port = { type: EthernetPortConfig['type']; vlan: number; tpid: number };

const carries = (port: Port, vlan: number) => port.type === 'dot1q' || port.vlan === vlan;

export class SwitchLogic implements Forwarder {
  readonly macs: MacTable;
  #ports = new Map<number, Port>();

  constructor(macs = new MacTable()) {
    this.macs = macs;
  }

  setPort(port: number, config: FabricPortConfig | null): void {
    if (config === null) {
      this.#ports.delete(port);
    } else {
      if (config.type !== 'access' && config.type !== 'dot1q' && config.type !== 'qinq') {
        throw new Error(`Unsupported port type "${config.type}"`);
      }
      if (!Number.isInteger(config.vlan) || config.vlan < 1 || config.vlan > 4094) {
        throw new Error(`Invalid VLAN "${config.vlan}" on port ${port} (1 to 4094)`);
      }
      const tpid = config.type === 'qinq' ? parseEthertype(config.ethertype) : TPID_DOT1Q;
      this.#ports.set(port, { type: config.type, vlan: config.vlan, tpid });
    }
    this.macs.forgetPort(port);
  }

  receive(ingress: number, frame: Uint8Array, now: number, deliver: Deliver): string {
    const from = this.#ports.get(ingress);
    if (!from) return 'no_port';
    if (frame.length < 14) return 'runt';
    let vlan = from.vlan;
    let inner = frame;
    let tpid = from.tpid;
    if (from.type !== 'qinq') {
      const tag = outerTag(frame);
      if (tag) {
        if (from.type === 'access' && tag.vid !== 0) return 'tagged_on_access';
        if (tag.vid !== 0) vlan = tag.vid;
        tpid = tag.tpid;
        inner = popTag(frame);
      }
    }
    if (!isGroupAddress(inner, 6)) this.macs.learn(vlan, macAt(inner, 6), ingress, now);

    let tagged: Uint8Array | null = null;
    const send = (port: number, to: Port) => {
      if (to.type !== 'dot1q' || vlan === to.vlan) deliver(port, inner);
      else deliver(port, (tagged ??= pushTag(inner, tpid, vlan)));
    };
    if (!isGroupAddress(inner, 0)) {
      const known = this.macs.lookup(vlan, macAt(inner, 0), now);
      const to = known >= 0 ? this.#ports.get(known) : undefined;
      if (known === ingress) return 'same_port';
      if (to && carries(to, vlan)) {
        send(known, to);
        return '';
      }
    }
    for (const [port, to] of this.#ports) if (port !== ingress && carries(to, vlan)) send(port, to);
    return '';
  }
}
