/**
 * 802.1Q / QinQ tag handling on raw Ethernet frames (no I/O): the switch's push and pop (copies), and putting back in
 * place a tag the kernel took out of a received frame into the packet's metadata, so that a raw side forwards the frame
 * as it was on the wire.
 */

/** Tag protocol identifiers GNS3 offers for switch ports; 0x8100 is plain 802.1Q. */
export const TPID_DOT1Q = 0x8100;
export const KNOWN_TPIDS: ReadonlySet<number> = new Set([0x8100, 0x88a8, 0x9100, 0x9200]);
/** Tags a frame parser steps over to reach the EtherType behind them: 802.1Q, 802.1ad, older QinQ equipment's 0x9100. */
export const STACKED_TPIDS: ReadonlySet<number> = new Set([0x8100, 0x88a8, 0x9100]);
/** Bytes of one tag (TPID, then TCI: priority, drop eligible, VLAN id). */
export const TAG_BYTES = 4;
/** Destination and source MAC addresses: a tag goes right after them. */
const ADDRESS_BYTES = 12;

/** GNS3's `ethertype` port field: "" or absent means 0x8100. */
export function parseEthertype(text: string | undefined): number {
  if (text === undefined || text === '') return TPID_DOT1Q;
  const value = Number.parseInt(text, 16);
  if (!/^0x[0-9a-fA-F]{4}$/.test(text) || !KNOWN_TPIDS.has(value)) {
    throw new Error(`Unsupported ethertype "${text}" (use 0x8100, 0x88A8, 0x9100 or 0x9200)`);
  }
  return value;
}

/** The outer tag of a frame, or null if the frame is untagged (or too short to carry one). */
export function outerTag(frame: Uint8Array): { tpid: number; vid: number } | null {
  if (frame.length < 18) return null;
  const tpid = (frame[12]! << 8) | frame[13]!;
  if (!KNOWN_TPIDS.has(tpid)) return null;
  return { tpid, vid: ((frame[14]! << 8) | frame[15]!) & 0x0fff };
}

/** A copy of the frame without its outer tag (bytes 12–15). */
export function popTag(frame: Uint8Array): Uint8Array {
  const out = new Uint8Array(frame.length - 4);
  out.set(frame.subarray(0, 12), 0);
  out.set(frame.subarray(16), 12);
  return out;
}

/** A copy of the frame with an outer tag (priority 0) inserted after the MAC addresses. */
export function pushTag(frame: Uint8Array, tpid: number, vid: number): Uint8Array {
  const out = new Uint8Array(frame.length + 4);
  out.set(frame.subarray(0, 12), 0);
  writeTag(out, 12, tpid, vid & 0x0fff);
  out.set(frame.subarray(12), 16);
  return out;
}

function writeTag(bytes: Uint8Array, at: number, tpid: number, tci: number): void {
  bytes[at] = tpid >>> 8;
  bytes[at + 1] = tpid & 0xff;
  bytes[at + 2] = tci >>> 8;
  bytes[at + 3] = tci & 0xff;
}

/**
 * Tags the frame at `start` using the TAG_BYTES before it, which the caller guarantees are free: only the MAC addresses
 * move (12 bytes, not the frame). Returns the tagged frame's new start, `start - TAG_BYTES`.
 *
 * @example const tagged = bytes.subarray(tagInHeadroom(bytes, start, 0x8100, 42), start + length);
 */
export function tagInHeadroom(bytes: Uint8Array, start: number, tpid: number, tci: number): number {
  const tagged = start - TAG_BYTES;
  bytes.copyWithin(tagged, start, start + ADDRESS_BYTES);
  writeTag(bytes, tagged + ADDRESS_BYTES, tpid, tci);
  return tagged;
}

/**
 * Tags the `length`-byte frame at the start of `bytes` by moving everything after the MAC addresses TAG_BYTES further
 * (for a frame with no headroom). Returns the tagged length, or -1 when `bytes` has no room for it.
 */
export function tagInPlace(bytes: Uint8Array, length: number, tpid: number, tci: number): number {
  if (length < ADDRESS_BYTES || length + TAG_BYTES > bytes.length) return -1;
  bytes.copyWithin(ADDRESS_BYTES + TAG_BYTES, ADDRESS_BYTES, length);
  writeTag(bytes, ADDRESS_BYTES, tpid, tci);
  return length + TAG_BYTES;
}
