/** Host CPU and memory figures for the compute `ping` notification (what GNS3 reports from psutil). */
import { cpus, freemem, totalmem } from 'node:os';
import { readFileSync } from 'node:fs';

type CpuSample = { idle: number; total: number };

function sampleCpu(): CpuSample {
  let idle = 0;
  let total = 0;
  for (const cpu of cpus()) {
    const t = cpu.times;
    idle += t.idle;
    total += t.user + t.nice + t.sys + t.idle + t.irq;
  }
  return { idle, total };
}

let last = sampleCpu();
let lastPercent = 0;

/** CPU use since the previous call (re-sampled at most every second, like GNS3's 1.9 s cache). */
export function cpuUsagePercent(): number {
  const now = sampleCpu();
  const total = now.total - last.total;
  if (total >= 100 * cpus().length) {
    lastPercent = Math.round((1000 * (total - (now.idle - last.idle))) / total) / 10;
    last = now;
  }
  return lastPercent;
}

/** Memory in use excluding reclaimable cache (MemAvailable), as psutil's `percent` does. */
export function memoryUsagePercent(): number {
  const total = totalmem();
  let available = freemem();
  try {
    const match = /MemAvailable:\s+(\d+) kB/.exec(readFileSync('/proc/meminfo', 'utf8'));
    if (match) available = Number(match[1]) * 1024;
  } catch {
    // Not Linux: free memory is the best figure there is.
  }
  return Math.round((1000 * (total - available)) / total) / 10;
}
