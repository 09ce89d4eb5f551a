/** Finds the Dynamips binary (`--dynamips-path`, else `dynamips` on PATH) and checks its version as gns3-server does. */
import { compareVersions, versionFinder } from '../../process/version-probe.ts';
import { fail } from '../../errors/index.ts';

export type DynamipsBinary = { path: string; version: string };

/** gns3-server 2.2 refuses older hypervisors. */
export const MIN_VERSION = '0.2.11';

export function parseDynamipsVersion(output: string): string | null {
  return /Cisco Router Simulation Platform \(version\s+([\d.]+)/.exec(output)?.[1] ?? null;
}

/** Detects once per configured path; a failed probe is retried next time (Dynamips may be installed meanwhile). */
export const findDynamips = versionFinder<DynamipsBinary>({
  // `-P none` makes Dynamips print its banner and exit at once (an unknown platform).
  args: ['-P', 'none'],
  parse: parseDynamipsVersion,
  notFound: () => fail('DYNAMIPS_NOT_FOUND'),
  notExecutable: (path) => fail('DYNAMIPS_NOT_EXECUTABLE', path),
  versionUnknown: (path) => fail('DYNAMIPS_VERSION_UNKNOWN', path),
  accept: (path, version) => {
    if (compareVersions(version, MIN_VERSION) < 0) throw fail('DYNAMIPS_VERSION_TOO_OLD', MIN_VERSION, version);
    return { path, version };
  },
});
