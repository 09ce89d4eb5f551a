/**
 * ATM switch logic (no I/O), as Dynamips' `atmsw` behaves: every datagram is one 53-byte cell; a virtual path
 * (input port, VPI) rewrites the VPI, otherwise a virtual channel (input port, VPI, VCI) rewrites both; the header
 * error check is recomputed and the cell leaves by the path's or channel's output port. Other cells are dropped.
 */
import type { AtmPortConfig, FabricPortConfig } from '../types.ts';
import type { Deliver, Forwarder } from './forwarder.ts';

export const ATM_CELL_SIZE = 53;
/** NNI header: 12-bit VPI, 16-bit VCI. */
export const MAX_VPI = 4095;
export const MAX_VCI = 65535;

/** CRC-8 (x^8 + x^2 + x + 1) of each byte value, for the header error check. */
const CRC8 = Uint8Array.from({ length: 256 }, (_, byte) => {
  let crc = byte;
  for (let bit = 0; bit < 8; bit++) crc = crc & 0x80 ? ((crc << 1) ^ 0x07) & 0xff : (crc << 1) & 0xff;
  return crc;
});

/** ITU-T I.432 HEC of the first four header bytes: CRC-8 xor the coset 0x55. */
export function headerErrorCheck(cell: Uint8Array): number {
  let crc = 0;
  for (let i = 0; i < 4; i++) crc = CRC8[crc ^ cell[i]!]!;
  return crc ^ 0x55;
}

export function vpiOf(cell: Uint8Array): number {
  return (cell[0]! << 4) | (cell[1]! >> 4);
}

export function vciOf(cell: Uint8Array): number {
  return ((cell[1]! & 0x0f) << 12) | (cell[2]! << 4) | (cell[3]! >> 4);
}

/** A copy of the cell with a new VPI (and VCI when given) and a recomputed HEC; PTI and CLP bits are kept. */
export function relabel(cell: Uint8Array, vpi: number, vci = vciOf(cell)): Uint8Array {
  const out = Uint8Array.from(cell);
  out[0] = vpi >> 4;
  out[1] = ((vpi & 0x0f) << 4) | (vci >> 12);
  out[2] = (vci >> 4) & 0xff;
  out[3] = ((vci & 0x0f) << 4) | (out[3]! & 0x0f);
  out[4] = headerErrorCheck(out);
  return out;
}

type Table = { vps: Map<number, { port: number; vpiOut: number }>; vcs: Map<number, { port: number; vpiOut: number; vciOut: number }> };

const vcKey = (vpi: number, vci: number) => vpi * 65536 + vci;

function validate(port: number, config: FabricPortConfig): AtmPortConfig {
  if (config.type !== 'atm') throw new Error(`Port ${port} of an ATM switch needs an atm config`);
  const check = (value: number, max: number, what: string) => {
    if (!Number.isInteger(value) || value < 0 || value > max) throw new Error(`Invalid ${what} "${value}" (0 to ${max})`);
  };
  for (const vp of config.vps) [vp.vpi, vp.vpiOut].forEach((vpi) => check(vpi, MAX_VPI, 'VPI'));
  for (const vc of config.vcs) {
    [vc.vpi, vc.vpiOut].forEach((vpi) => check(vpi, MAX_VPI, 'VPI'));
    [vc.vci, vc.vciOut].forEach((vci) => check(vci, MAX_VCI, 'VCI'));
  }
  return config;
}

export class AtmLogic implements Forwarder {
  #ports = new Map<number, Table>();

  setPort(port: number, config: FabricPortConfig | null): void {
    if (config === null) {
      this.#ports.delete(port);
      return;
    }
    const { vps, vcs } = validate(port, config);
    this.#ports.set(port, {
      vps: new Map(vps.map((vp) => [vp.vpi, { port: vp.port, vpiOut: vp.vpiOut }])),
      vcs: new Map(vcs.map((vc) => [vcKey(vc.vpi, vc.vci), { port: vc.port, vpiOut: vc.vpiOut, vciOut: vc.vciOut }])),
    });
  }

  receive(ingress: number, cell: Uint8Array, _now: number, deliver: Deliver): string {
    const table = this.#ports.get(ingress);
    if (!table) return 'no_port';
    if (table.vps.size === 0 && table.vcs.size === 0) return 'no_circuit';
    if (cell.length !== ATM_CELL_SIZE) return 'not_a_cell';
    const vpi = vpiOf(cell);
    const path = table.vps.get(vpi);
    if (path) {
      if (!this.#ports.has(path.port)) return 'unknown_vc';
      deliver(path.port, relabel(cell, path.vpiOut));
      return '';
    }
    const channel = table.vcs.get(vcKey(vpi, vciOf(cell)));
    if (!channel || !this.#ports.has(channel.port)) return 'unknown_vc';
    deliver(channel.port, relabel(cell, channel.vpiOut, channel.vciOut));
    return '';
  }
}
