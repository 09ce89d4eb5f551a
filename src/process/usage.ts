/** CPU and resident memory of one process (pidusage), as the node JSON and the metrics report them. */
import pidusage from 'pidusage';

export type ProcessUsage = { pid: number; cpu_percent: number; memory_rss: number };

/** Usage of `pid` (CPU in percent of one core, one decimal), or null when the process is gone. */
export async function processUsage(pid: number): Promise<ProcessUsage | null> {
  try {
    const stat = await pidusage(pid);
    return { pid, cpu_percent: Math.round(stat.cpu * 10) / 10, memory_rss: stat.memory };
  } catch {
    return null;
  }
}
