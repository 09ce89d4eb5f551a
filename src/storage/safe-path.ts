/** Resolves user-supplied relative paths inside a root directory, refusing anything that escapes it. */
import { isAbsolute, relative, resolve, sep } from 'node:path';
import { forbidden } from '../api/errors.ts';

/** Returns the absolute path of `untrusted` under `root`, or throws 403 when it would leave `root`. */
export function resolveInside(root: string, untrusted: string): string {
  if (untrusted.includes('\0')) throw forbidden('403: Forbidden');
  const target = resolve(root, untrusted);
  const rel = relative(root, target);
  if (rel === '' || rel === '..' || rel.startsWith(`..${sep}`) || isAbsolute(rel)) throw forbidden('403: Forbidden');
  return target;
}
