/** Finds the Dynamips binary (`--dynamips-path`, else `dynamips` on PATH) and checks its version as gns3-server does. */
import { execFile } from 'node:child_process';
import { access, constants } from 'node:fs/promises';
import { resolveExecutable } from '../../process/executable.ts';
import { compareVersions } from '../vpcs/binary.ts';
import { fail } from '../../errors/index.ts';

export type DynamipsBinary = { path: string; version: string };

/** gns3-server 2.2 refuses older hypervisors. */
export const MIN_VERSION = '0.2.11';

export function parseDynamipsVersion(output: string): string | null {
  return /Cisco Router Simulation Platform \(version\s+([\d.]+)/.exec(output)?.[1] ?? null;
}

const cache = new Map<string, Promise<DynamipsBinary>>();

async function probe(configured: string): Promise<DynamipsBinary> {
  const path = await resolveExecutable(configured);
  if (!path) throw fail('DYNAMIPS_NOT_FOUND');
  try {
    await access(path, constants.X_OK);
  } catch {
    throw fail('DYNAMIPS_NOT_EXECUTABLE', path);
  }
  // `-P none` makes Dynamips print its banner and exit at once (an unknown platform).
  const output = await new Promise<string>((resolve) => {
    execFile(path, ['-P', 'none'], { timeout: 5000 }, (_err, stdout, stderr) => resolve(`${stdout}${stderr}`));
  });
  const version = parseDynamipsVersion(output);
  if (!version) throw fail('DYNAMIPS_VERSION_UNKNOWN', path);
  if (compareVersions(version, MIN_VERSION) < 0) {
    throw fail('DYNAMIPS_VERSION_TOO_OLD', MIN_VERSION, version);
  }
  return { path, version };
}

/** Detects once per configured path; a failed probe is retried next time (Dynamips may be installed meanwhile). */
export function findDynamips(configured: string): Promise<DynamipsBinary> {
  let found = cache.get(configured);
  if (!found) {
    found = probe(configured);
    cache.set(configured, found);
    found.catch(() => cache.delete(configured));
  }
  return found;
}
