/** libpcap file format (no I/O): the 24-byte global header and 16-byte record headers, little-endian like the writer host. */

export const PCAP_HEADER_BYTES = 24;
export const PCAP_RECORD_HEADER_BYTES = 16;
export const PCAP_SNAPLEN = 65535;
export const LINKTYPE_ETHERNET = 1;

/** Global header: magic a1b2c3d4 (microsecond timestamps), version 2.4, zone 0, sigfigs 0, snaplen, link type. */
export function pcapGlobalHeader(linkType = LINKTYPE_ETHERNET): Uint8Array {
  const header = new Uint8Array(PCAP_HEADER_BYTES);
  const view = new DataView(header.buffer);
  view.setUint32(0, 0xa1b2c3d4, true);
  view.setUint16(4, 2, true);
  view.setUint16(6, 4, true);
  view.setUint32(16, PCAP_SNAPLEN, true);
  view.setUint32(20, linkType, true);
  return header;
}

/**
 * Writes one record (header + frame truncated to the snaplen) into `target` at `offset`; returns the new offset.
 * `target` must have room for PCAP_RECORD_HEADER_BYTES + min(frame length, snaplen) bytes.
 */
export function writePcapRecord(target: Uint8Array, offset: number, frame: Uint8Array, epochMicros: number): number {
  const captured = Math.min(frame.length, PCAP_SNAPLEN);
  const view = new DataView(target.buffer, target.byteOffset, target.byteLength);
  const seconds = Math.floor(epochMicros / 1e6);
  view.setUint32(offset, seconds, true);
  view.setUint32(offset + 4, Math.floor(epochMicros - seconds * 1e6), true);
  view.setUint32(offset + 8, captured, true);
  view.setUint32(offset + 12, frame.length, true);
  target.set(captured === frame.length ? frame : frame.subarray(0, captured), offset + PCAP_RECORD_HEADER_BYTES);
  return offset + PCAP_RECORD_HEADER_BYTES + captured;
}
