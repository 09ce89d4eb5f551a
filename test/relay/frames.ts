/** Hand-made Ethernet frames for the tests (checksums left zero: nothing here verifies them, tshark only warns). */

export const mac = (text: string): number[] => text.split(':').map((h) => parseInt(h, 16));
const ip4 = (text: string): number[] => text.split('.').map(Number);
const u16 = (n: number): number[] => [n >> 8, n & 0xff];

export type FrameOptions = {
  dst?: string;
  src?: string;
  /** Tags outermost first: [tpid, vid]. */
  tags?: Array<[number, number]>;
  /** udpFrame's payload, instead of "hi!\n"; tcpFrame's and tcp6Frame's (an ACK then, instead of a SYN). */
  payload?: number[];
};

function ethernet(etherType: number, payload: number[], options: FrameOptions = {}): Uint8Array {
  const tags = (options.tags ?? []).flatMap(([tpid, vid]) => [...u16(tpid), ...u16(vid)]);
  const frame = [
    ...mac(options.dst ?? '02:00:00:00:00:02'),
    ...mac(options.src ?? '02:00:00:00:00:01'),
    ...tags,
    ...u16(etherType),
    ...payload,
  ];
  while (frame.length < 60) frame.push(0);
  return Uint8Array.from(frame);
}

function ipv4(proto: number, src: string, dst: string, body: number[]): number[] {
  const length = 20 + body.length;
  return [0x45, 0, ...u16(length), 0, 1, 0, 0, 64, proto, 0, 0, ...ip4(src), ...ip4(dst), ...body];
}

export function udpFrame(src: string, dst: string, sport: number, dport: number, options?: FrameOptions): Uint8Array {
  const payload = options?.payload ?? [0x68, 0x69, 0x21, 0x0a];
  const body = [...u16(sport), ...u16(dport), ...u16(8 + payload.length), 0, 0, ...payload];
  return ethernet(0x0800, ipv4(17, src, dst, body), options);
}

/** A TCP SYN, or with `payload` an ACK carrying it (sequence number 1). */
export function tcpFrame(src: string, dst: string, sport: number, dport: number, options?: FrameOptions): Uint8Array {
  return ethernet(0x0800, ipv4(6, src, dst, tcpSegment(sport, dport, options?.payload)), options);
}

export function tcp6Frame(src: number[], dst: number[], sport: number, dport: number, options?: FrameOptions): Uint8Array {
  const body = tcpSegment(sport, dport, options?.payload);
  return ethernet(0x86dd, [0x60, 0, 0, 0, ...u16(body.length), 6, 64, ...src, ...dst, ...body], options);
}

function tcpSegment(sport: number, dport: number, payload?: number[]): number[] {
  return [...u16(sport), ...u16(dport), 0, 0, 0, 1, 0, 0, 0, 0, 0x50, payload ? 0x10 : 0x02, ...u16(64240), 0, 0, 0, 0, ...(payload ?? [])];
}

export function icmpEcho(src: string, dst: string, options?: FrameOptions): Uint8Array {
  return ethernet(0x0800, ipv4(1, src, dst, [8, 0, 0, 0, 0, 1, 0, 1]), options);
}

export function arpRequest(senderIp: string, targetIp: string, options?: FrameOptions): Uint8Array {
  const sender = mac(options?.src ?? '02:00:00:00:00:01');
  const payload = [0, 1, 8, 0, 6, 4, 0, 1, ...sender, ...ip4(senderIp), 0, 0, 0, 0, 0, 0, ...ip4(targetIp)];
  return ethernet(0x0806, payload, { dst: 'ff:ff:ff:ff:ff:ff', ...options });
}

export function udp6Frame(src: number[], dst: number[], sport: number, dport: number): Uint8Array {
  const body = [...u16(sport), ...u16(dport), ...u16(8), 0, 0];
  return ethernet(0x86dd, [0x60, 0, 0, 0, ...u16(body.length), 17, 64, ...src, ...dst, ...body]);
}

/** RFC 1071 checksum of `bytes` (for frames a real kernel must accept). */
function checksum(bytes: number[]): number[] {
  let sum = 0;
  for (let i = 0; i < bytes.length; i += 2) sum += (bytes[i]! << 8) | (bytes[i + 1] ?? 0);
  while (sum > 0xffff) sum = (sum & 0xffff) + (sum >>> 16);
  return u16(~sum & 0xffff);
}

/** An ICMP echo request with valid IPv4 and ICMP checksums, which a real network stack answers. */
export function pingRequest(src: string, dst: string, options: FrameOptions & { id?: number; seq?: number } = {}): Uint8Array {
  const icmp = [8, 0, 0, 0, ...u16(options.id ?? 0x5042), ...u16(options.seq ?? 1), ...Array.from({ length: 32 }, (_, i) => i)];
  icmp.splice(2, 2, ...checksum(icmp));
  const header = [0x45, 0, ...u16(20 + icmp.length), 0, 1, 0x40, 0, 64, 1, 0, 0, ...ip4(src), ...ip4(dst)];
  header.splice(10, 2, ...checksum(header));
  return ethernet(0x0800, [...header, ...icmp], options);
}

/** The ICMP type of an IPv4 frame (0 echo reply, 8 echo request), or -1 when it is not ICMP over IPv4. */
export function icmpType(frame: Uint8Array): number {
  if (frame[12] !== 0x08 || frame[13] !== 0x00 || frame[23] !== 1) return -1;
  return frame[14 + (frame[14]! & 0x0f) * 4]!;
}

/**
 * Whether the TCP or UDP checksum of `frame` (VLAN tags skipped, IPv4 or IPv6 without extension headers) is right:
 * the pseudo-header and the segment as the IP header bounds it, summed with the checksum field, come to zero.
 */
export function transportChecksumValid(frame: Uint8Array): boolean {
  let at = 12;
  while (frame[at] === 0x81 || frame[at] === 0x88) at += 4;
  const ip = at + 2;
  const bytes = [...frame];
  const v4 = frame[at] === 0x08;
  const segment = v4 ? ip + (frame[ip]! & 0x0f) * 4 : ip + 40;
  const end = v4 ? ip + ((frame[ip + 2]! << 8) | frame[ip + 3]!) : segment + ((frame[ip + 4]! << 8) | frame[ip + 5]!);
  const protocol = frame[v4 ? ip + 9 : ip + 6]!;
  const addresses = v4 ? bytes.slice(ip + 12, ip + 20) : bytes.slice(ip + 8, ip + 40);
  const pseudo = [...addresses, 0, 0, ...u16(end - segment), 0, protocol];
  const sum = checksum([...pseudo, ...bytes.slice(segment, end)]);
  return sum[0] === 0 && sum[1] === 0;
}

/** Whether the IPv4 header checksum of `frame` (VLAN tags skipped) is right: the header sums to zero. */
export function ipv4HeaderValid(frame: Uint8Array): boolean {
  let at = 12;
  while (frame[at] === 0x81 || frame[at] === 0x88) at += 4;
  const ip = at + 2;
  const sum = checksum([...frame.subarray(ip, ip + (frame[ip]! & 0x0f) * 4)]);
  return sum[0] === 0 && sum[1] === 0;
}
