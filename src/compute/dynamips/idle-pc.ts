/** Idle-PC values: parsing Dynamips' proposals and the CPU-usage test auto idle-PC applies to each of them. */

/** A proposal line from `vm get_idle_pc_prop`, e.g. `0x60606f54 [78]`, or `0xffffffff8000802c [100]` on MIPS64. */
export type IdlePcProposal = { value: string; hits: number | null };

/**
 * Parses proposal lines; 8-digit (PowerPC, 32-bit MIPS) and 16-digit (sign-extended MIPS64) values are both
 * accepted, since Dynamips reports the latter for MIPS routers (gns3-server only takes 8 digits and so finds
 * nothing on them). Lines that are not proposals are skipped.
 */
export function parseProposals(lines: readonly string[]): IdlePcProposal[] {
  const out: IdlePcProposal[] = [];
  for (const line of lines) {
    const match = /^(0x(?:[0-9a-fA-F]{8}|[0-9a-fA-F]{16}))(?:\s+\[(\d+)\])?\s*$/.exec(line.trim());
    if (match) out.push({ value: match[1]!.toLowerCase(), hits: match[2] === undefined ? null : Number(match[2]) });
  }
  return out;
}

/** GNS3 keeps the first proposal under which the router uses less than this share of one host CPU. */
export const AUTO_IDLE_PC_MAX_CPU = 70;

/**
 * CPU use in percent of one host CPU between two readings of Dynamips' `vm cpu_usage` (seconds of CPU time),
 * `elapsedMs` apart; capped at 100 as GNS3 does.
 */
export function cpuPercent(cpuSecondsBefore: number, cpuSecondsAfter: number, elapsedMs: number): number {
  if (elapsedMs <= 0) return 100;
  return Math.min(100, Math.abs(((cpuSecondsAfter - cpuSecondsBefore) * 100_000) / elapsedMs));
}
