/**
 * Putting back an 802.1Q / 802.1ad tag that the kernel took out of a received frame into the packet's metadata (done
 * for every tagged frame before AF_PACKET sees it: NIC rx-vlan offload, veth, or the core receive path itself), so
 * that a raw side forwards the frame as it was on the wire. Pure: the caller owns the buffer.
 */

/** The TPID of an 802.1Q tag, what a tag whose TPID the kernel did not report is. */
export const TPID_8021Q = 0x8100;
/** Bytes of one tag (TPID, then TCI: priority, drop eligible, VLAN id). */
export const TAG_BYTES = 4;
/** Destination and source MAC addresses: the tag goes right after them. */
const ADDRESS_BYTES = 12;

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
