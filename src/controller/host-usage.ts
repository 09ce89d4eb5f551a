/** CPU and memory use of this host, for ping events (GNS3 sends both as percentages). */
import { cpus, freemem, totalmem } from 'node:os';

type Sample = { idle: number; total: number };

function sample(): Sample {
  let idle = 0;
  let total = 0;
  for (const cpu of cpus()) {
    const t = cpu.times;
    idle += t.idle;
    total += t.user + t.nice + t.sys + t.idle + t.irq;
  }
  return { idle, total };
}

let last = sample();
let lastPercent = 0;

/** CPU use since the previous call (re-sampled at most once a second), and memory in use. */
export function hostUsage(): { cpu_usage_percent: number; memory_usage_percent: number } {
  const now = sample();
  const total = now.total - last.total;
  if (total >= 1000 * cpus().length || lastPercent === 0) {
    if (total > 0) lastPercent = Math.round(1000 * (1 - (now.idle - last.idle) / total)) / 10;
    last = now;
  }
  const memory = Math.round(1000 * (1 - freemem() / totalmem())) / 10;
  return { cpu_usage_percent: lastPercent, memory_usage_percent: memory };
}
