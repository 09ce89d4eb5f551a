/** IPv4 subnet arithmetic for the NAT network: gateway, DHCP range, netmask. Pure. */

export type Ipv4Subnet = {
  /** As configured, normalised: `192.168.122.0/24`. */
  cidr: string;
  prefix: number;
  network: string;
  netmask: string;
  /** First host address, given to the bridge: `192.168.122.1`. */
  gateway: string;
  /** DHCP pool: second host address to the last one before broadcast. */
  dhcpFirst: string;
  dhcpLast: string;
};

const toNumber = (dotted: string) => dotted.split('.').reduce((n, part) => n * 256 + Number(part), 0);
const toDotted = (n: number) => [24, 16, 8, 0].map((shift) => Math.floor(n / 2 ** shift) % 256).join('.');

/**
 * Parses `a.b.c.d/prefix` (the network address, prefix 16-29) or throws an Error saying what is wrong.
 *
 * @example
 * parseIpv4Subnet('192.168.122.0/24').gateway // '192.168.122.1'
 */
export function parseIpv4Subnet(text: string): Ipv4Subnet {
  const match = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})\/(\d{1,2})$/.exec(text);
  if (!match) throw new Error(`"${text}" is not an IPv4 subnet such as 192.168.122.0/24`);
  const octets = match.slice(1, 5).map(Number);
  if (octets.some((o) => o > 255)) throw new Error(`"${text}" has an octet above 255`);
  const prefix = Number(match[5]);
  // Below /16 the DHCP server would hand out addresses for a whole continent; above /29 there is no room.
  if (prefix < 16 || prefix > 29) throw new Error(`"${text}": the prefix length must be between 16 and 29`);
  const size = 2 ** (32 - prefix);
  const address = toNumber(octets.join('.'));
  if (address % size !== 0) throw new Error(`"${text}" is not a network address (host bits are set)`);
  return {
    cidr: text,
    prefix,
    network: toDotted(address),
    netmask: toDotted(2 ** 32 - size),
    gateway: toDotted(address + 1),
    dhcpFirst: toDotted(address + 2),
    dhcpLast: toDotted(address + size - 2),
  };
}

/** True if two subnets share any address. */
export function subnetsOverlap(a: Ipv4Subnet, b: { address: string; prefixlen: number }): boolean {
  const prefix = Math.min(a.prefix, b.prefixlen);
  const size = 2 ** (32 - prefix);
  return Math.floor(toNumber(a.network) / size) === Math.floor(toNumber(b.address) / size);
}
