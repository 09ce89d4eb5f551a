/**
 * The host side of a cloud or NAT port: which relay endpoint reaches the mapped interface, and the TAP device the
 * agent makes for it when there is none (GNS3's uBridge does the same: a raw socket on an interface, a TAP device
 * for a Linux bridge or a `tap` mapping).
 */
import { requireCapabilities, type Capability } from '../../hostnet/capabilities.ts';
import type { HostNetwork } from '../../hostnet/host-network.ts';
import { attachToBridge, linkKind, type LinkKind } from '../../hostnet/links.ts';
import type { RawEndpoint, TapEndpoint } from '../../relay/types.ts';

/** A `ports_mapping` entry reaching the host. */
export type HostPortMapping = { type: 'ethernet' | 'tap'; interface: string };

/** How one port reaches the host. */
export type HostPortPlan =
  /** An AF_PACKET socket on the interface. */
  | { endpoint: 'raw'; device: string }
  /** A TAP device: an existing one, or one the agent makes (named by the host network) and puts on `bridge`. */
  | { endpoint: 'tap'; device: string | null; bridge: string | null };

/**
 * Pure: the plan for a mapping given what the interface is (null: absent), or the GNS3-worded reason it cannot work.
 * An ethernet mapping on a Linux bridge gets a TAP port on that bridge (a raw socket on a bridge would see only the
 * bridge's own traffic); a tap mapping names a TAP device, made if absent.
 */
export function planHostPort(mapping: HostPortMapping, kind: LinkKind | null, cloudName: string): HostPortPlan | { error: string } {
  if (mapping.type === 'ethernet') {
    if (kind === null) return { error: `Interface '${mapping.interface}' could not be found on this system, please update '${cloudName}'` };
    if (kind === 'bridge') return { endpoint: 'tap', device: null, bridge: mapping.interface };
    return { endpoint: 'raw', device: mapping.interface };
  }
  if (kind === null || kind === 'tap') return { endpoint: 'tap', device: mapping.interface, bridge: null };
  return { error: `Interface '${mapping.interface}' of cloud '${cloudName}' exists and is not a TAP device` };
}

/** Capabilities a plan needs: packet sockets for raw, TAP devices and bridge ports for tap. */
const needs = (plan: HostPortPlan): Capability[] => (plan.endpoint === 'raw' ? ['CAP_NET_RAW'] : ['CAP_NET_ADMIN']);

/** The relay endpoint of an opened host port and what to undo when the port goes away. */
export type HostPort = { endpoint: TapEndpoint | RawEndpoint; close: () => Promise<void> };

export class HostPortError extends Error {}

/**
 * Opens the host side of port `port`: checks the capabilities (409 naming them), makes the TAP device if the plan
 * needs one, and attaches it to its bridge. A mapping that cannot work rejects with a HostPortError (reported by the
 * cloud as GNS3 does: log.error, status stopped).
 */
export async function openHostPort(hostNetwork: HostNetwork, port: number, mapping: HostPortMapping, cloudName: string): Promise<HostPort> {
  const plan = planHostPort(mapping, linkKind(mapping.interface), cloudName);
  if ('error' in plan) throw new HostPortError(plan.error);
  requireCapabilities(needs(plan), `Port ${port} of '${cloudName}' (${mapping.type} ${mapping.interface})`);
  if (plan.endpoint === 'raw') return { endpoint: { kind: 'raw', device: plan.device }, close: async () => {} };
  if (plan.device !== null) {
    // An existing TAP stays the user's; a missing one is made here and removed with the port.
    const made = linkKind(plan.device) === null ? await hostNetwork.createTapNamed(plan.device) : null;
    return { endpoint: { kind: 'tap', device: plan.device }, close: async () => void (made && (await hostNetwork.remove(made))) };
  }
  const tap = await hostNetwork.createTap(port);
  const device = tap.name;
  try {
    await attachToBridge(device, plan.bridge!);
  } catch (err) {
    await hostNetwork.remove(tap);
    throw new HostPortError(`Cannot add TAP device ${device} to bridge ${plan.bridge}: ${(err as Error).message}`);
  }
  return { endpoint: { kind: 'tap', device }, close: () => hostNetwork.remove(tap) };
}
