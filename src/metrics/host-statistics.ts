/**
 * `GET /v2/compute/statistics`: the host figures GNS3 computes with psutil, with exactly its keys (all integers).
 * Memory "free" is what Linux calls available (reclaimable cache counts as free), as psutil's `available`.
 */
import * as v from 'valibot';
import { readFile, statfs } from 'node:fs/promises';
import { statfsSync } from 'node:fs';
import { availableParallelism, freemem, loadavg, totalmem } from 'node:os';
import { cpuUsagePercent } from '../compute/host-stats.ts';

const Int = v.pipe(v.number(), v.integer());

export const ComputeStatistics = v.strictObject({
  memory_total: Int,
  memory_free: Int,
  memory_used: Int,
  swap_total: Int,
  swap_free: Int,
  swap_used: Int,
  cpu_usage_percent: Int,
  memory_usage_percent: Int,
  swap_usage_percent: Int,
  disk_usage_percent: Int,
  /** 1, 5 and 15 minute load average as a percentage of the CPU count; above 100 on an overloaded host. */
  load_average_percent: v.tuple([Int, Int, Int]),
});
export type ComputeStatistics = v.InferOutput<typeof ComputeStatistics>;

type MemInfo = { total: number; available: number; swapTotal: number; swapFree: number };

async function memInfo(): Promise<MemInfo> {
  const fallback = { total: totalmem(), available: freemem(), swapTotal: 0, swapFree: 0 };
  let text: string;
  try {
    text = await readFile('/proc/meminfo', 'utf8');
  } catch {
    return fallback; // Not Linux: no swap figures without a native call.
  }
  const kib = (key: string) => {
    const match = new RegExp(`^${key}:\\s+(\\d+) kB`, 'm').exec(text);
    return match ? Number(match[1]) * 1024 : null;
  };
  return {
    total: kib('MemTotal') ?? fallback.total,
    available: kib('MemAvailable') ?? fallback.available,
    swapTotal: kib('SwapTotal') ?? 0,
    swapFree: kib('SwapFree') ?? 0,
  };
}

const percent = (part: number, whole: number) => (whole > 0 ? Math.round((100 * part) / whole) : 0);

const usedPercent = (fs: { blocks: number; bfree: number; bavail: number }) => percent(fs.blocks - fs.bfree, fs.blocks - fs.bfree + fs.bavail);

/** Disk use of the filesystem holding `dir`, as `df` shows it (blocks reserved for root count as used). */
async function diskUsagePercent(dir: string): Promise<number> {
  try {
    return usedPercent(await statfs(dir));
  } catch {
    return 0; // The projects directory may not exist yet.
  }
}

/** The same, synchronously (one statfs call), for notification pings built on the spot. */
export function diskUsagePercentNow(dir: string): number {
  try {
    return usedPercent(statfsSync(dir));
  } catch {
    return 0;
  }
}

export async function hostStatistics(projectsDir: string): Promise<ComputeStatistics> {
  const mem = await memInfo();
  const cpus = availableParallelism();
  return {
    memory_total: mem.total,
    memory_free: mem.available,
    memory_used: mem.total - mem.available,
    swap_total: mem.swapTotal,
    swap_free: mem.swapFree,
    swap_used: mem.swapTotal - mem.swapFree,
    cpu_usage_percent: Math.round(cpuUsagePercent()),
    memory_usage_percent: percent(mem.total - mem.available, mem.total),
    swap_usage_percent: percent(mem.swapTotal - mem.swapFree, mem.swapTotal),
    disk_usage_percent: await diskUsagePercent(projectsDir),
    load_average_percent: loadavg().map((load) => Math.round((100 * load) / cpus)) as [number, number, number],
  };
}
