/**
 * Finding an emulator's program and reading its version from what it prints, as gns3-server does before it uses one,
 * once per configured path.
 */
import { execFile } from 'node:child_process';
import { access, constants } from 'node:fs/promises';
import { resolveExecutable } from './executable.ts';

/** Orders version strings such as `0.5b2`, `0.6.1`, `0.8b`, `0.8.3`: a letter suffix marks a pre-release (`0.8b` < `0.8`). */
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

export type VersionProbe<T> = {
  /** Arguments that make the program print its version and exit. */
  args: readonly string[];
  /** The version in what the program printed (stdout then stderr), or null. */
  parse: (output: string) => string | null;
  /** The errors each driver words its own way. */
  notFound: (configured: string) => Error;
  notExecutable: (path: string) => Error;
  versionUnknown: (path: string) => Error;
  /** What the caller keeps of a program found; may throw to refuse it (a version too old). */
  accept: (path: string, version: string) => T;
};

/**
 * A finder for one program: resolves the configured name on PATH, checks it may be executed, runs it with
 * `probe.args` (5 s at most) and reads its version. It probes once per configured path; a failed probe is retried on
 * the next call (the program may have been installed meanwhile).
 *
 * @example
 * const findVpcs = versionFinder({ args: ['-v'], parse, notFound, notExecutable, versionUnknown, accept: (path, version) => ({ path, version }) });
 * const { path, version } = await findVpcs('vpcs');
 */
export function versionFinder<T>(probe: VersionProbe<T>): (configured: string) => Promise<T> {
  const cache = new Map<string, Promise<T>>();
  const find = async (configured: string): Promise<T> => {
    const path = await resolveExecutable(configured);
    if (!path) throw probe.notFound(configured);
    try {
      await access(path, constants.X_OK);
    } catch {
      throw probe.notExecutable(path);
    }
    const output = await new Promise<string>((resolve) => {
      execFile(path, probe.args, { timeout: 5000 }, (_err, stdout, stderr) => resolve(`${stdout}${stderr}`));
    });
    const version = probe.parse(output);
    if (!version) throw probe.versionUnknown(path);
    return probe.accept(path, version);
  };
  return (configured) => {
    let found = cache.get(configured);
    if (!found) {
      found = find(configured);
      cache.set(configured, found);
      found.catch(() => cache.delete(configured));
    }
    return found;
  };
}
