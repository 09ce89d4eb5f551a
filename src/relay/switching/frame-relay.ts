/**
 * Frame Relay switch logic (no I/O), as Dynamips' `frsw` behaves: a frame's DLCI (Q.922 two-byte address) selects
 * a virtual circuit of its input port, the DLCI is rewritten to the circuit's outgoing one and the frame leaves by the
 * circuit's output port. Status enquiries on DLCI 0 (ANSI T1.617 Annex D LMI) are answered on the same port, a full
 * status listing the DLCIs configured on that port. As in Dynamips, a port without any circuit receives nothing.
 */
import type { FabricPortConfig, FrameRelayPortConfig } from '../types.ts';
import type { Deliver, Forwarder } from './forwarder.ts';

/** Highest DLCI a two-byte Q.922 address carries. */
export const MAX_DLCI = 1023;
const LMI_DLCI = 0;
/** Q.922 address of DLCI 0, UI control, protocol discriminator, call reference, message type, locking shift. */
const LMI_ENQUIRY_HEADER = [0x00, 0x01, 0x03, 0x08, 0x00, 0x75, 0x95];
const LMI_MESSAGE_TYPE_OFFSET = 5;
const LMI_STATUS = 0x7d;
const IE_REPORT_TYPE = 0x01;
const IE_LINK_INTEGRITY = 0x03;
const IE_PVC_STATUS = 0x07;
const REPORT_FULL_STATUS = 0;
/** PVC status octet: extension bit, "active". */
const PVC_ACTIVE = 0x82;

/** The DLCI of a Frame Relay frame. */
export function dlciOf(frame: Uint8Array): number {
  return ((frame[0]! & 0xfc) << 2) | (frame[1]! >> 4);
}

/** A copy of the frame with its DLCI replaced (the C/R, FECN, BECN, DE and EA bits are kept). */
export function withDlci(frame: Uint8Array, dlci: number): Uint8Array {
  const out = Uint8Array.from(frame);
  out[0] = (out[0]! & 0x03) | ((dlci >> 4) << 2);
  out[1] = (out[1]! & 0x0f) | ((dlci & 0x0f) << 4);
  return out;
}

type Circuit = { port: number; dlciOut: number };

function validate(port: number, config: FabricPortConfig): FrameRelayPortConfig {
  if (config.type !== 'frame_relay') throw new Error(`Port ${port} of a Frame Relay switch needs a frame_relay config`);
  for (const vc of config.vcs) {
    for (const dlci of [vc.dlci, vc.dlciOut]) {
      if (!Number.isInteger(dlci) || dlci < 0 || dlci > MAX_DLCI) throw new Error(`Invalid DLCI "${dlci}" (0 to ${MAX_DLCI})`);
    }
  }
  return config;
}

export class FrameRelayLogic implements Forwarder {
  #ports = new Map<number, Map<number, Circuit>>();
  /** LMI send sequence number per port (Dynamips keeps one per NIO). */
  #sequence = new Map<number, number>();

  setPort(port: number, config: FabricPortConfig | null): void {
    if (config === null) {
      this.#ports.delete(port);
      this.#sequence.delete(port);
      return;
    }
    const { vcs } = validate(port, config);
    this.#ports.set(port, new Map(vcs.map((vc) => [vc.dlci, { port: vc.port, dlciOut: vc.dlciOut }])));
  }

  receive(ingress: number, frame: Uint8Array, _now: number, deliver: Deliver): string {
    const circuits = this.#ports.get(ingress);
    if (!circuits) return 'no_port';
    if (circuits.size === 0) return 'no_circuit';
    if (frame.length < 2) return 'runt';
    const dlci = dlciOf(frame);
    if (dlci === LMI_DLCI) {
      const reply = this.#lmiReply(ingress, frame, [...circuits.keys()]);
      if (!reply) return 'bad_lmi';
      deliver(ingress, reply);
      return '';
    }
    const circuit = circuits.get(dlci);
    if (!circuit || !this.#ports.has(circuit.port)) return 'unknown_dlci';
    deliver(circuit.port, withDlci(frame, circuit.dlciOut));
    return '';
  }

  /** The STATUS answer to a STATUS ENQUIRY, or null if the frame is not a well-formed enquiry. */
  #lmiReply(port: number, request: Uint8Array, dlcis: number[]): Uint8Array | null {
    const header = LMI_ENQUIRY_HEADER.length;
    if (request.length <= header || LMI_ENQUIRY_HEADER.some((byte, i) => request[i] !== byte)) return null;
    const reply: number[] = [...LMI_ENQUIRY_HEADER];
    reply[LMI_MESSAGE_TYPE_OFFSET] = LMI_STATUS;
    let reportType = -1;
    let sequenced = false;
    let at = header;
    items: while (at + 2 < request.length) {
      const type = request[at]!;
      const size = request[at + 1]!;
      if (at + size + 2 > request.length) return null;
      switch (type) {
        case IE_REPORT_TYPE:
          if (size !== 1 || request[at + 2]! > 1) return null;
          reportType = request[at + 2]!;
          reply.push(IE_REPORT_TYPE, 1, reportType);
          break;
        case IE_LINK_INTEGRITY: {
          if (size !== 2) return null;
          const theirSend = request[at + 2]!;
          const theirReceive = request[at + 3]!;
          // Resynchronise on what the user last received, then count up, skipping 0 as the standard requires.
          let ours = this.#sequence.get(port) ?? 0;
          if (ours !== theirReceive) ours = theirReceive;
          ours = (ours + 1) & 0xff || 1;
          this.#sequence.set(port, ours);
          reply.push(IE_LINK_INTEGRITY, 2, ours, theirSend);
          sequenced = true;
          break;
        }
        default:
          break items;
      }
      at += size + 2;
    }
    if (reportType < 0 || !sequenced) return null;
    if (reportType === REPORT_FULL_STATUS) {
      for (const dlci of dlcis.sort((a, b) => a - b)) {
        reply.push(IE_PVC_STATUS, 3, dlci >> 4, 0x80 | ((dlci & 0x0f) << 3), PVC_ACTIVE);
      }
    }
    return Uint8Array.from(reply);
  }
}
