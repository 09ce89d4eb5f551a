/** Default GNS3 version this controller speaks (the agent's default too); computes must report exactly the same string. */
export const GNS3_VERSION = '2.2.59';

/** GNS3 3.x version the /v3 APIs report unless `--gns3-version` asks for another 3.x (3.0 clients require equality). */
export const GNS3_V3_VERSION = '3.0.6';

/** The version each API reports: `--gns3-version 3.x.y` sets the v3 one and leaves v2 at its default, and vice versa. */
export function apiVersions(configured: string): { v2: string; v3: string } {
  return configured.startsWith('3.') ? { v2: GNS3_VERSION, v3: configured } : { v2: configured, v3: GNS3_V3_VERSION };
}

/** `.gns3` topology revision written by every GNS3 2.2 release. */
export const TOPOLOGY_REVISION = 9;
