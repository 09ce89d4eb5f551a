/** patchbay's own version, kept apart so `--version` and `--help` load nothing else. */
export const PATCHBAY_VERSION = '0.1.0';
