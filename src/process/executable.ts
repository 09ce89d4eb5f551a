/** Finding a program the way a shell would, without running a shell. */
import { stat } from 'node:fs/promises';
import { delimiter, isAbsolute, join } from 'node:path';

/** Resolves a bare name on PATH, as a shell would, without running one. */
export async function resolveExecutable(name: string): Promise<string | null> {
  const candidates = isAbsolute(name) || name.includes('/')
    ? [name]
    : (process.env.PATH ?? '').split(delimiter).filter(Boolean).map((dir) => join(dir, name));
  for (const candidate of candidates) {
    try {
      if ((await stat(candidate)).isFile()) return candidate;
    } catch {
      // Not there; keep looking.
    }
  }
  return null;
}
