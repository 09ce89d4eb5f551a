/**
 * Linux capabilities of the agent. Host networking needs a few (never root as such); they are checked before
 * anything is created, so a missing one gives a 409 that names it instead of a half-built network.
 */
import { readFileSync } from 'node:fs';
import { fail } from '../errors/index.ts';

/** Bit numbers from linux/capability.h of the capabilities host networking uses. */
export const CAPABILITY_BITS = {
  /** dnsmasq binds DHCP (67) and DNS (53) on the NAT bridge. */
  CAP_NET_BIND_SERVICE: 10,
  /** Bridges, TAP devices, addresses, nftables rules. */
  CAP_NET_ADMIN: 12,
  /** Packet sockets on host interfaces (cloud `ethernet` ports). */
  CAP_NET_RAW: 13,
} as const;
export type Capability = keyof typeof CAPABILITY_BITS;

/** Pure: the effective set from the text of /proc/<pid>/status, or null if the line is missing. */
export function parseEffectiveCapabilities(status: string): bigint | null {
  const match = /^CapEff:\s*([0-9a-fA-F]+)$/m.exec(status);
  return match ? BigInt(`0x${match[1]}`) : null;
}

/** Pure: which of `needed` the set `effective` lacks, in the order given. */
export function missingCapabilities(needed: readonly Capability[], effective: bigint): Capability[] {
  return needed.filter((cap) => (effective & (1n << BigInt(CAPABILITY_BITS[cap]))) === 0n);
}

function effectiveCapabilities(): bigint {
  try {
    return parseEffectiveCapabilities(readFileSync('/proc/self/status', 'utf8')) ?? 0n;
  } catch {
    return 0n; // No /proc (not Linux): host networking is unavailable.
  }
}

/**
 * Throws a 409 naming every capability of `needed` the agent lacks.
 *
 * @example
 * requireCapabilities(['CAP_NET_ADMIN'], 'A NAT node');
 */
export function requireCapabilities(needed: readonly Capability[], purpose: string): void {
  if (process.platform !== 'linux') throw fail('HOST_NETWORKING_NOT_LINUX', purpose, process.platform);
  const missing = missingCapabilities(needed, effectiveCapabilities());
  if (missing.length === 0) return;
  throw fail('CAPABILITIES_MISSING', purpose, missing);
}
