/** Best-effort host-side limits for a running VM: scheduling priority (nice) and CPU throttling (cpulimit). */
import { closeSync, openSync } from 'node:fs';
import { setPriority } from 'node:os';
import { Supervised } from '../../process/supervised.ts';
import { resolveExecutable } from '../../process/executable.ts';
import type { ProcessPriority } from './schemas.ts';

/** Nice values for GNS3's priority names on Unix. */
const NICE: Record<Exclude<ProcessPriority, 'null'>, number> = {
  realtime: -20,
  'very high': -15,
  high: -5,
  normal: 0,
  low: 5,
  'very low': 19,
};

/** Renices `pid`; returns a warning instead of failing (raising priority needs privileges). */
export function applyPriority(pid: number, priority: ProcessPriority): string | null {
  if (priority === 'null') return null;
  try {
    setPriority(pid, NICE[priority]);
    return null;
  } catch (err) {
    return `Could not set process priority "${priority}": ${(err as Error).message}`;
  }
}

/**
 * Starts `cpulimit` on `pid` (GNS3's way of honouring cpu_throttling, in percent of one core). Returns the helper
 * process, or a warning when cpulimit is not installed or fails to start.
 */
export async function startCpuLimit(pid: number, percent: number, cwd: string): Promise<Supervised | string> {
  const cpulimit = await resolveExecutable('cpulimit');
  if (!cpulimit) return `cpu_throttling ${percent}% ignored: cpulimit is not installed`;
  const devNull = openSync('/dev/null', 'w');
  try {
    // -z: exit by itself once the VM is gone.
    return await Supervised.spawn(cpulimit, ['--pid', String(pid), '--limit', String(percent), '-z'], { cwd, output: devNull });
  } catch (err) {
    return `cpu_throttling ignored: could not start cpulimit: ${(err as Error).message}`;
  } finally {
    closeSync(devNull);
  }
}
