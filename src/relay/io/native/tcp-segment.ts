/**
 * Splitting a TCP segment too large for the interface's MTU back into segments that fit, as the sender's NIC would
 * have: what a raw side receives from a host interface whose GRO merged a stream, or from a local veth peer whose TCP
 * handed it one TSO segment, is up to 64 KiB, which an emulator drops. Pure: it builds the segments in new memory and
 * leaves the frame it is given alone.
 */
import { completeChecksum, findTransport, internetChecksum, TCP } from './l4-checksum.ts';

/** TCP flags that belong only on the last piece of a split segment (FIN, PSH), and only on the first (CWR). */
const [FIN, PSH, CWR] = [0x01, 0x08, 0x80];

/**
 * The frames `frame` splits into so that each IP packet is at most `mtu` bytes: L2, IP and TCP headers copied to
 * each, the payload cut in order, IPv4 total length, ID (one more per piece) and header checksum or IPv6 payload length,
 * TCP sequence number, flags and checksum set per piece. Null when `frame` is not a TCP segment over IPv4/IPv6
 * (VLAN tags allowed) larger than `mtu`, or its headers alone leave no room for payload: the caller sends it as it is.
 *
 * @example const pieces = frame.length > mtu + 14 ? splitTcp(frame, mtu) : null;
 */
export function splitTcp(frame: Uint8Array, mtu: number): Uint8Array[] | null {
  const found = findTransport(frame);
  if (!found || found.protocol !== TCP || found.end - found.ip <= mtu) return null;
  const { ip, v6, segment, end } = found;
  const payload = segment + (frame[segment + 12]! >>> 4) * 4;
  const room = mtu - (payload - ip);
  if (payload > end || room <= 0) return null;
  const count = Math.ceil((end - payload) / room);
  const pieces = new Uint8Array(count * payload + (end - payload));
  const view = new DataView(frame.buffer, frame.byteOffset, frame.byteLength);
  const sequence = view.getUint32(segment + 4);
  const id = v6 ? 0 : view.getUint16(ip + 4);
  const flags = frame[segment + 13]!;
  const out: Uint8Array[] = [];
  for (let i = 0, from = payload, at = 0; i < count; i++, from += room) {
    const to = Math.min(from + room, end);
    const piece = pieces.subarray(at, at + payload + (to - from));
    at += piece.length;
    piece.set(frame.subarray(0, payload));
    piece.set(frame.subarray(from, to), payload);
    const fields = new DataView(piece.buffer, piece.byteOffset, piece.byteLength);
    if (v6) {
      fields.setUint16(ip + 4, piece.length - ip - 40);
    } else {
      fields.setUint16(ip + 2, piece.length - ip);
      fields.setUint16(ip + 4, (id + i) & 0xffff);
      fields.setUint16(ip + 10, 0);
      fields.setUint16(ip + 10, internetChecksum(piece, ip, segment));
    }
    fields.setUint32(segment + 4, (sequence + (from - payload)) >>> 0);
    piece[segment + 13] = flags & ~(i === count - 1 ? 0 : FIN | PSH) & ~(i === 0 ? 0 : CWR);
    completeChecksum(piece);
    out.push(piece);
  }
  return out;
}
