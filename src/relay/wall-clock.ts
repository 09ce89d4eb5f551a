/** Wall-clock time with sub-millisecond resolution (Date.now() has only milliseconds), e.g. for pcap timestamps. */

/** Microseconds since the Unix epoch: the process's time origin plus the monotonic clock's progress since. */
export const epochMicros = (): number => (performance.timeOrigin + performance.now()) * 1000;
