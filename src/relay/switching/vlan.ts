/** 802.1Q / QinQ tag handling on raw Ethernet frames (no I/O). */

/** Tag protocol identifiers GNS3 offers for switch ports; 0x8100 is plain 802.1Q. */
export const TPID_DOT1Q = 0x8100;
export const KNOWN_TPIDS: ReadonlySet<number> = new Set([0x8100, 0x88a8, 0x9100, 0x9200]);

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
  out[12] = tpid >> 8;
  out[13] = tpid & 0xff;
  out[14] = (vid >> 8) & 0x0f;
  out[15] = vid & 0xff;
  out.set(frame.subarray(12), 16);
  return out;
}
