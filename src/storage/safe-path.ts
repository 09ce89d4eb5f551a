/** Resolves user-supplied relative paths inside a root directory, refusing anything that escapes it. */
import { isAbsolute, relative, resolve, sep } from 'node:path';
import { fail } from '../errors/index.ts';

/** Returns the absolute path of `untrusted` under `root`, or throws 403 when it would leave `root`. */
export function resolveInside(root: string, untrusted: string): string {
  if (untrusted.includes('\0')) throw fail('PATH_FORBIDDEN');
  const target = resolve(root, untrusted);
  const rel = relative(root, target);
  if (rel === '' || rel === '..' || rel.startsWith(`..${sep}`) || isAbsolute(rel)) throw fail('PATH_FORBIDDEN');
  return target;
}
