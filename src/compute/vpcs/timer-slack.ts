/**
 * The Linux timer slack every VPCS starts with (Supervised.spawn's `timerSlackNs`). Each VPCS polls with short
 * sleeps in threads that only keep time in seconds: 0.5b2 counts seconds in a thread that sleeps 100 µs per turn
 * (≈ 4 300 wake-ups/s per idle node: 30 idle nodes took 66 % of a core); 0.8.3's packet process keeps its seconds
 * counter and checks DHCP renewal, each in a thread sleeping 1 ms per turn (≈ 900 wake-ups/s each: 10–12 ms of CPU
 * per second per idle node here, so 100 idle nodes took a whole core and slowed every start that came after them).
 * With 10 ms of slack the kernel may merge those wake-ups (0.8.3: 2 ms of CPU per second per node). Nothing a user
 * sees depends on their precision: the counters are in seconds (ARP and DHCP ages), ping times come from packet
 * timestamps that the reader thread takes when the packet itself wakes it, and a command polling for its answer
 * notices it at most 10 ms later.
 */
export const VPCS_TIMER_SLACK_NS = 10_000_000;
