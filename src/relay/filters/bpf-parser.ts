/**
 * A subset of pcap filter syntax (no I/O), parsed into a small tree. Supported:
 *   protocols  ip, ip6, arp, icmp, tcp, udp; `vlan [id]`
 *   hosts      `[src|dst] host ADDR` (IPv4/IPv6 literal), `src ADDR`, `dst ADDR`, `<proto> [src|dst] host ADDR`
 *   ports      `[tcp|udp] [src|dst] port N`
 *   MACs       `ether [src|dst] [host] MAC`
 *   logic      and/&&, or/||, not/!, parentheses
 * Anything else is rejected with an error naming the token, e.g. `Unsupported BPF token "portrange" in "…"`.
 */
import { FilterError } from './types.ts';

export type BpfDirection = 'src' | 'dst' | 'any';
export type BpfProtocol = 'ip' | 'ip6' | 'arp' | 'icmp' | 'tcp' | 'udp';

export type BpfNode =
  | { kind: 'and' | 'or'; left: BpfNode; right: BpfNode }
  | { kind: 'not'; operand: BpfNode }
  | { kind: 'proto'; proto: BpfProtocol }
  | { kind: 'vlan'; id: number | null }
  | { kind: 'host'; dir: BpfDirection; address: Uint8Array }
  | { kind: 'port'; dir: BpfDirection; proto: 'tcp' | 'udp' | null; port: number }
  | { kind: 'ether'; dir: BpfDirection; mac: Uint8Array };

const PROTOCOLS = new Set<string>(['ip', 'ip6', 'arp', 'icmp', 'tcp', 'udp']);

/** Parses one expression (one line of GNS3's bpf filter value). */
export function parseBpf(expression: string): BpfNode {
  return new Parser(expression).parse();
}

/** IPv4 dotted quad → 4 bytes, IPv6 text → 16 bytes, else null. */
export function parseIp(text: string): Uint8Array | null {
  const v4 = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.exec(text);
  if (v4) {
    const bytes = v4.slice(1).map(Number);
    return bytes.every((b) => b <= 255) ? Uint8Array.from(bytes) : null;
  }
  if (!text.includes(':') || !/^[0-9a-fA-F:]+$/.test(text)) return null;
  const halves = text.split('::');
  if (halves.length > 2) return null;
  const groups = (part: string) => (part === '' ? [] : part.split(':'));
  const head = groups(halves[0]!);
  const tail = halves.length === 2 ? groups(halves[1]!) : [];
  const missing = 8 - head.length - tail.length;
  if (halves.length === 1 ? missing !== 0 : missing < 1) return null;
  const all = [...head, ...Array<string>(halves.length === 2 ? missing : 0).fill('0'), ...tail];
  if (all.some((g) => g.length === 0 || g.length > 4)) return null;
  const bytes = new Uint8Array(16);
  all.forEach((g, i) => {
    const value = parseInt(g, 16);
    bytes[i * 2] = value >> 8;
    bytes[i * 2 + 1] = value & 0xff;
  });
  return bytes;
}

/** `aa:bb:cc:dd:ee:ff` or `aa-bb-…` → 6 bytes, else null. */
export function parseMac(text: string): Uint8Array | null {
  const parts = text.split(/[:-]/);
  if (parts.length !== 6 || parts.some((p) => !/^[0-9a-fA-F]{1,2}$/.test(p))) return null;
  return Uint8Array.from(parts.map((p) => parseInt(p, 16)));
}

class Parser {
  #source: string;
  #tokens: string[];
  #at = 0;

  constructor(source: string) {
    this.#source = source.trim();
    this.#tokens = this.#source.match(/&&|\|\||[()!]|[^\s()!&|]+|[&|]/g) ?? [];
  }

  parse(): BpfNode {
    if (this.#tokens.length === 0) throw new FilterError('BPF expression is empty');
    const node = this.#binary();
    if (this.#at < this.#tokens.length) this.#unsupported(this.#tokens[this.#at]!);
    return node;
  }

  #peek(): string | undefined {
    return this.#tokens[this.#at];
  }

  #next(expected: string): string {
    const token = this.#tokens[this.#at];
    if (token === undefined) {
      throw new FilterError(`BPF expression "${this.#source}" ends early: expected ${expected}`);
    }
    this.#at += 1;
    return token;
  }

  #unsupported(token: string): never {
    throw new FilterError(`Unsupported BPF token "${token}" in "${this.#source}"`);
  }

  /** Like pcap, `and` and `or` have equal precedence and associate left to right (`a or b and c` = `(a or b) and c`). */
  #binary(): BpfNode {
    let left = this.#unary();
    for (;;) {
      const token = this.#peek();
      const kind = token === 'and' || token === '&&' ? 'and' : token === 'or' || token === '||' ? 'or' : null;
      if (!kind) return left;
      this.#at += 1;
      left = { kind, left, right: this.#unary() };
    }
  }

  #unary(): BpfNode {
    const token = this.#next('a primitive');
    if (token === 'not' || token === '!') return { kind: 'not', operand: this.#unary() };
    if (token === '(') {
      const inner = this.#binary();
      const close = this.#next('")"');
      if (close !== ')') this.#unsupported(close);
      return inner;
    }
    return this.#primitive(token);
  }

  #primitive(token: string): BpfNode {
    if (PROTOCOLS.has(token)) {
      const proto = token as BpfProtocol;
      const following = this.#peek();
      if (following !== 'src' && following !== 'dst' && following !== 'host' && following !== 'port') {
        return { kind: 'proto', proto };
      }
      const transport = proto === 'tcp' || proto === 'udp' ? proto : null;
      const qualified = this.#qualified(transport);
      // `tcp port 80` is one primitive; `ip host X` is `ip and host X`.
      if (transport && qualified.kind === 'port') return qualified;
      return { kind: 'and', left: { kind: 'proto', proto }, right: qualified };
    }
    if (token === 'vlan') {
      const id = this.#peek();
      if (id !== undefined && /^\d+$/.test(id)) {
        this.#at += 1;
        const vid = Number(id);
        if (vid > 4095) this.#unsupported(id);
        return { kind: 'vlan', id: vid };
      }
      return { kind: 'vlan', id: null };
    }
    if (token === 'ether') return this.#ether();
    if (token === 'src' || token === 'dst' || token === 'host' || token === 'port') {
      this.#at -= 1;
      return this.#qualified(null);
    }
    return this.#unsupported(token);
  }

  /** `[src|dst] host ADDR`, `[src|dst] port N`, or `src|dst ADDR`. */
  #qualified(portProto: 'tcp' | 'udp' | null): BpfNode {
    let dir: BpfDirection = 'any';
    let token = this.#next('"host" or "port"');
    if (token === 'src' || token === 'dst') {
      dir = token;
      token = this.#next('"host", "port" or an address');
    }
    if (token === 'port') {
      const value = this.#next('a port number');
      const port = /^\d+$/.test(value) ? Number(value) : NaN;
      if (!(port <= 65535)) this.#unsupported(value);
      return { kind: 'port', dir, proto: portProto, port };
    }
    const addressText = token === 'host' ? this.#next('an address') : dir !== 'any' ? token : this.#unsupported(token);
    const address = parseIp(addressText);
    if (!address) this.#unsupported(addressText);
    return { kind: 'host', dir, address };
  }

  /** `ether host MAC`, `ether src [host] MAC`, `ether dst [host] MAC`. */
  #ether(): BpfNode {
    let dir: BpfDirection = 'any';
    let token = this.#next('"src", "dst" or "host"');
    if (token === 'src' || token === 'dst') {
      dir = token;
      token = this.#next('a MAC address');
      if (token === 'host') token = this.#next('a MAC address');
    } else if (token === 'host') {
      token = this.#next('a MAC address');
    } else {
      this.#unsupported(token);
    }
    const mac = parseMac(token);
    if (!mac) this.#unsupported(token);
    return { kind: 'ether', dir, mac };
  }
}
