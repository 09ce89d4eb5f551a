/**
 * Checks a raw or TAP endpoint passes before any syscall, failing with a typed RelayEndpointError (which crosses the
 * worker boundary and becomes a 4xx): the interface name (Linux's rules, src/hostnet), the interface's existence,
 * and the capability of the relay's own thread.
 */
import { existsSync, readFileSync } from 'node:fs';
import { missingCapabilities, parseEffectiveCapabilities } from '../hostnet/capabilities.ts';
import type { Capability } from '../hostnet/capabilities.ts';
import { interfaceNameProblem } from '../hostnet/interface-name.ts';
import { RelayEndpointError } from './errors.ts';

export function validateInterfaceName(name: string): void {
  const problem = interfaceNameProblem(name);
  if (problem) throw new RelayEndpointError('RELAY_INTERFACE_INVALID', `Interface name "${name}" ${problem}`);
}

/** Validates `name`, then requires the interface to exist in the agent's network namespace. */
export function requireInterface(name: string): void {
  validateInterfaceName(name);
  if (!existsSync(`/sys/class/net/${name}`)) {
    throw new RelayEndpointError('RELAY_INTERFACE_MISSING', `Interface "${name}" does not exist on this host`);
  }
}

/** Throws RELAY_CAPABILITY_MISSING naming `capability` when the calling thread does not hold it. */
export function requireCapability(capability: Capability, purpose: string): void {
  const effective = parseEffectiveCapabilities(readFileSync('/proc/thread-self/status', 'utf8')) ?? 0n;
  if (missingCapabilities([capability], effective).length === 0) return;
  throw new RelayEndpointError(
    'RELAY_CAPABILITY_MISSING',
    `Cannot ${purpose}: the agent lacks ${capability} (grant it as an ambient capability of the service, ` +
      'AmbientCapabilities in patchbay-agent.service)',
    capability,
  );
}
