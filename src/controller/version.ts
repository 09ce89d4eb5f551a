/** Default GNS3 version this controller speaks (the agent's default too); computes must report exactly the same string. */
export const GNS3_VERSION = '2.2.59';

/** `.gns3` topology revision written by every GNS3 2.2 release. */
export const TOPOLOGY_REVISION = 9;
