/** Finds the VPCS binary and detects its version, which decides how it is launched. */
import { execFile } from 'node:child_process';
import { access, constants } from 'node:fs/promises';
import { fail } from '../../errors/index.ts';
import { resolveExecutable } from '../../process/executable.ts';

export type VpcsBinary = {
  path: string;
  version: string;
  /** VPCS ≥ 0.6.1 runs in the foreground with its own console port (GNS3's way); older ones need a terminal. */
  gns3Mode: boolean;
  /** `-R` (no relay) exists from 0.8b on. */
  noRelayFlag: boolean;
};

/** Orders VPCS version strings such as `0.5b2`, `0.6.1`, `0.8b`, `0.8.3`: a letter suffix marks a pre-release (`0.8b` < `0.8`). */
export function compareVersions(a: string, b: string): number {
  const parts = (s: string) => s.split(/[.]/).map((p) => {
    const m = /^(\d+)([a-z]*)(\d*)$/.exec(p) ?? [p, '0', '', '0'];
    return [Number(m[1]), m[2] ? -1 : 0, Number(m[3] || 0)] as const;
  });
  const pa = parts(a);
  const pb = parts(b);
  for (let i = 0; i < Math.max(pa.length, pb.length); i++) {
    const x = pa[i] ?? [0, 0, 0];
    const y = pb[i] ?? [0, 0, 0];
    for (let j = 0; j < 3; j++) if (x[j] !== y[j]) return x[j]! - y[j]!;
  }
  return 0;
}

export function parseVersion(output: string): string | null {
  return /Welcome to Virtual PC Simulator, version ([0-9a-z.]+)/.exec(output)?.[1] ?? null;
}

const cache = new Map<string, Promise<VpcsBinary>>();

async function probe(configured: string): Promise<VpcsBinary> {
  const path = await resolveExecutable(configured);
  if (!path) throw fail('VPCS_BINARY_NOT_ACCESSIBLE', configured);
  try {
    await access(path, constants.X_OK);
  } catch {
    throw fail('VPCS_BINARY_NOT_EXECUTABLE', path);
  }
  const output = await new Promise<string>((resolve) => {
    execFile(path, ['-v'], { timeout: 5000 }, (_err, stdout, stderr) => resolve(`${stdout}${stderr}`));
  });
  const version = parseVersion(output);
  if (!version) throw fail('VPCS_VERSION_UNKNOWN', path);
  return {
    path,
    version,
    gns3Mode: compareVersions(version, '0.6.1') >= 0,
    noRelayFlag: compareVersions(version, '0.8b') >= 0,
  };
}

/** Detects once per path; a failed probe is retried on the next call (the binary may be installed meanwhile). */
export function findVpcs(configured: string): Promise<VpcsBinary> {
  let found = cache.get(configured);
  if (!found) {
    found = probe(configured);
    cache.set(configured, found);
    found.catch(() => cache.delete(configured));
  }
  return found;
}
