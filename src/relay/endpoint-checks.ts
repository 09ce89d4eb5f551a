/**
 * Checks a raw or TAP endpoint passes before any syscall, failing with a registry error (which crosses the worker
 * boundary by code and becomes a 4xx): the interface name (Linux's rules), the interface's existence, the capability.
 */
import { existsSync } from 'node:fs';
import { fail } from '../errors/index.ts';
import { interfaceNameProblem } from '../hostnet/interface-name.ts';

export { requireCapabilities } from '../hostnet/capabilities.ts';

export function validateInterfaceName(name: string): void {
  const problem = interfaceNameProblem(name);
  if (problem) throw fail('RELAY_INTERFACE_INVALID', name, problem);
}

/** Validates `name`, then requires the interface to exist in the agent's network namespace. */
export function requireInterface(name: string): void {
  validateInterfaceName(name);
  if (!existsSync(`/sys/class/net/${name}`)) throw fail('RELAY_INTERFACE_MISSING', name);
}
