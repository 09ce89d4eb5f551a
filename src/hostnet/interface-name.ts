/** Linux network interface names: what the kernel accepts, restricted to characters that are safe in logs and UIs. */

/** IFNAMSIZ is 16 bytes including the terminating NUL. */
export const MAX_INTERFACE_NAME_BYTES = 15;

const SAFE_NAME = /^[A-Za-z0-9_.-]+$/;

/**
 * Why `name` cannot be an interface name, or null if it can. The kernel refuses empty names, `.`/`..`, more than
 * 15 bytes, `/`, `:` and whitespace; we also refuse anything outside letters, digits and `_ . -`.
 *
 * @example
 * interfaceNameProblem('eth0') // null
 * interfaceNameProblem('a-very-long-interface') // 'is longer than 15 bytes'
 */
export function interfaceNameProblem(name: string): string | null {
  if (name === '') return 'must not be empty';
  if (Buffer.byteLength(name, 'utf8') > MAX_INTERFACE_NAME_BYTES) return `is longer than ${MAX_INTERFACE_NAME_BYTES} bytes`;
  if (name === '.' || name === '..') return 'cannot be "." or ".."';
  if (!SAFE_NAME.test(name)) return 'may only contain letters, digits and "_", ".", "-"';
  return null;
}

export const isInterfaceName = (name: string): boolean => interfaceNameProblem(name) === null;
