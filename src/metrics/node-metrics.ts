/** Node and emulator-process metrics: nodes by type and status, CPU and memory of each running emulator (pidusage). */
import process from 'node:process';
import type { Compute } from '../compute/compute.ts';
import { runningProcesses } from '../process/supervised.ts';
import { processUsage } from '../process/usage.ts';
import type { Registry } from './registry.ts';

export function nodeMetrics(compute: Compute, registry: Registry): void {
  const nodes = registry.gauge('patchbay_nodes', 'Nodes on this compute, by node type and status.');
  const cpu = registry.gauge('patchbay_node_cpu_percent', 'CPU use of a running emulator process (100 = one core), averaged since the previous scrape.');
  const memory = registry.gauge('patchbay_node_memory_bytes', 'Resident memory of a running emulator process.');
  registry.gauge('patchbay_projects', 'Projects open on this compute.', () => compute.projects.length);
  const ports = registry.gauge('patchbay_ports_reserved', 'Ports reserved from the agent ranges, by protocol.');
  registry.gauge('patchbay_process_resident_memory_bytes', 'Resident memory of the agent itself.', () => process.memoryUsage.rss());
  registry.gauge('patchbay_process_uptime_seconds', 'Seconds since the agent started.', () => Math.round(process.uptime()));

  registry.collect(async () => {
    nodes.reset();
    const counts = new Map<string, { type: string; status: string; n: number }>();
    for (const node of compute.nodes) {
      const key = `${node.type}/${node.status}`;
      const entry = counts.get(key) ?? { type: node.type, status: node.status, n: 0 };
      entry.n += 1;
      counts.set(key, entry);
    }
    for (const { type, status, n } of counts.values()) nodes.set({ type, status }, n);
    ports.set({ protocol: 'tcp' }, compute.tcpPorts.allocated.length);
    ports.set({ protocol: 'udp' }, compute.udpPorts.allocated.length);

    // Emulators are matched to nodes by working directory: each is launched in its node's directory.
    const byDirectory = new Map(compute.nodes.map((node) => [node.directory, node]));
    const owned = runningProcesses().flatMap((proc) => {
      const node = byDirectory.get(proc.cwd);
      return node ? [{ pid: proc.pid, node }] : [];
    });
    cpu.reset();
    memory.reset();
    // One call per pid: a batch call fails as a whole when any process exited since the listing.
    const usage = await Promise.all(owned.map((o) => processUsage(o.pid)));
    for (const [i, { node }] of owned.entries()) {
      const stats = usage[i];
      if (!stats) continue;
      const labels = { node_id: node.id, name: node.name, type: node.type, project_id: node.project.id };
      cpu.set(labels, stats.cpu_percent);
      memory.set(labels, stats.memory_rss);
    }
  });
}
