/** Finds the VPCS binary and detects its version, which decides how it is launched. */
import { fail } from '../../errors/index.ts';
import { compareVersions, versionFinder } from '../../process/version-probe.ts';

export type VpcsBinary = {
  path: string;
  version: string;
  /** VPCS ≥ 0.6.1 runs in the foreground with its own console port (GNS3's way); older ones need a terminal. */
  gns3Mode: boolean;
  /** `-R` (no relay) exists from 0.8b on. */
  noRelayFlag: boolean;
};

export function parseVersion(output: string): string | null {
  return /Welcome to Virtual PC Simulator, version ([0-9a-z.]+)/.exec(output)?.[1] ?? null;
}

/** Finds `vpcs` (a path or a name on PATH) and reads its banner; cached per configured path while it succeeds. */
export const findVpcs = versionFinder<VpcsBinary>({
  args: ['-v'],
  parse: parseVersion,
  notFound: (configured) => fail('VPCS_BINARY_NOT_ACCESSIBLE', configured),
  notExecutable: (path) => fail('VPCS_BINARY_NOT_EXECUTABLE', path),
  versionUnknown: (path) => fail('VPCS_VERSION_UNKNOWN', path),
  accept: (path, version) => ({
    path,
    version,
    gns3Mode: compareVersions(version, '0.6.1') >= 0,
    noRelayFlag: compareVersions(version, '0.8b') >= 0,
  }),
});
