/** Small helpers shared by the benchmarks: percentiles, a pool of concurrent tasks, a fixed-width table. */
import { readFileSync, readdirSync } from 'node:fs';

export function percentile(values: number[], p: number): number {
  if (values.length === 0) return NaN;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
}

/** Runs `task(i)` for i in [0, count) with at most `concurrency` in flight; returns each task's latency in ms. */
export async function timed(count: number, concurrency: number, task: (i: number) => Promise<unknown>): Promise<{ latencies: number[]; totalMs: number }> {
  const latencies: number[] = new Array(count);
  let next = 0;
  const started = performance.now();
  const worker = async () => {
    while (next < count) {
      const i = next++;
      const t0 = performance.now();
      await task(i);
      latencies[i] = performance.now() - t0;
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, count) }, worker));
  return { latencies, totalMs: performance.now() - started };
}

export function table(headers: string[], rows: Array<Array<string | number>>): string {
  const cells = rows.map((row) => row.map((cell) => (typeof cell === 'number' ? cell.toFixed(cell >= 100 ? 0 : 2) : cell)));
  const widths = headers.map((h, i) => Math.max(h.length, ...cells.map((row) => String(row[i]).length)));
  const line = (row: Array<string | number>) => row.map((cell, i) => String(cell).padStart(widths[i]!)).join('  ');
  return [line(headers), widths.map((w) => '-'.repeat(w)).join('  '), ...cells.map(line)].join('\n');
}

/** A memory figure of /proc/<pid>/status (Linux) in MiB; NaN once the process is gone. */
function statusMiB(pid: number, field: 'VmRSS' | 'RssAnon'): number {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    return Number(new RegExp(`${field}:\\s+(\\d+) kB`).exec(status)?.[1] ?? NaN) / 1024;
  } catch {
    return NaN;
  }
}

/** Resident set size of a process in MiB. */
export const rssMiB = (pid: number): number => statusMiB(pid, 'VmRSS');

/**
 * The anonymous part of a process's RSS in MiB (V8's and malloc's heaps, stacks): what a memory creep is made of,
 * apart from the pages of the runtime's binary and libraries it maps.
 */
export const rssAnonMiB = (pid: number): number => statusMiB(pid, 'RssAnon');

/**
 * CPU a process has used so far, from the kernel's scheduler statistics (Linux, nanosecond resolution): the time all
 * its threads ran, and the time its main thread ran and waited runnable for a CPU. Threads that have exited are not
 * counted (an agent's threads live as long as it does).
 */
export function schedTimes(pid: number): { runMs: number; mainRunMs: number; mainWaitMs: number } {
  const read = (tid: string) => readFileSync(`/proc/${pid}/task/${tid}/schedstat`, 'utf8').split(' ').map((ns) => Number(ns) / 1e6);
  let runMs = 0;
  for (const tid of readdirSync(`/proc/${pid}/task`)) {
    try {
      runMs += read(tid)[0]!;
    } catch {
      // The thread exited meanwhile.
    }
  }
  const [mainRunMs, mainWaitMs] = read(String(pid));
  return { runMs, mainRunMs: mainRunMs!, mainWaitMs: mainWaitMs! };
}
