/** The GNS3 version this controller speaks; computes must report exactly this string to be accepted. */
export const GNS3_VERSION = '2.2.41';

/** `.gns3` topology revision written by every GNS3 2.2 release. */
export const TOPOLOGY_REVISION = 9;
