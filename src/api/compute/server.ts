/** Server-level compute routes: version, capabilities, network, notifications. */
import { Hono } from 'hono';
import type { Compute } from '../../compute/compute.ts';
import { cpuUsagePercent, memoryUsagePercent } from '../../compute/host-stats.ts';
import type { Notification } from '../../compute/notifier.ts';
import { hostInterfaces } from '../../hostnet/host-interfaces.ts';
import { hostStatistics } from '../../metrics/host-statistics.ts';
import type { Runtime } from '../../runtime/types.ts';
import { fail } from '../../errors/index.ts';
import { eventSocket } from './event-socket.ts';

export type ComputeInfo = { version: string; local: boolean };

/** GNS3 lists these in this order; we only claim the types this agent can run. */
const NODE_TYPE_ORDER = ['cloud', 'ethernet_hub', 'ethernet_switch', 'nat', 'vpcs', 'qemu'];

export const pingEvent = (): Notification => ({
  action: 'ping',
  event: { cpu_usage_percent: cpuUsagePercent(), memory_usage_percent: memoryUsagePercent() },
});

export function serverRoutes(compute: Compute, runtime: Runtime, info: ComputeInfo): Hono {
  const app = new Hono();

  app.get('/version', (c) => c.json({ version: info.version, local: info.local }));

  app.get('/capabilities', (c) => {
    const types = [...compute.drivers.keys()];
    const ordered = [...NODE_TYPE_ORDER.filter((t) => types.includes(t)), ...types.filter((t) => !NODE_TYPE_ORDER.includes(t))];
    return c.json({ version: info.version, platform: process.platform, node_types: ordered });
  });

  app.get('/statistics', async (c) => {
    try {
      return c.json(await hostStatistics(compute.projectsDir));
    } catch (err) {
      // GNS3 answers 409 when psutil fails.
      throw fail('HOST_STATISTICS_FAILED', (err as Error).message);
    }
  });

  app.get('/network/interfaces', (c) => c.json(hostInterfaces()));

  app.get('/network/ports', (c) =>
    c.json({
      console_port_range: [compute.tcpPorts.start, compute.tcpPorts.end],
      console_ports: compute.tcpPorts.allocated,
      udp_port_range: [compute.udpPorts.start, compute.udpPorts.end],
      udp_ports: compute.udpPorts.allocated,
    }));

  // Free-form, for humans debugging a host (GNS3 has the same route); nothing parses it.
  app.get('/debug', (c) => {
    const ports = (pool: typeof compute.tcpPorts) => pool.allocated.join(' ') || '(none)';
    const lines = [
      `patchbay compute, GNS3 API ${info.version}, ${runtime.name} ${process.version} on ${process.platform}/${process.arch}`,
      `projects: ${compute.projects.length}, nodes: ${compute.nodes.length} (${compute.nodes.filter((n) => n.status === 'started').length} started)`,
      `cpu ${cpuUsagePercent()} %, memory ${memoryUsagePercent()} %, agent rss ${(process.memoryUsage().rss / 1048576).toFixed(1)} MiB`,
      `console ports ${compute.tcpPorts.start}-${compute.tcpPorts.end} reserved: ${ports(compute.tcpPorts)}`,
      `udp ports ${compute.udpPorts.start}-${compute.udpPorts.end} reserved: ${ports(compute.udpPorts)}`,
      ...hostInterfaces().map((i) => `interface ${i.name}: ${i.ip_address || '-'} ${i.mac_address}`),
    ];
    return c.text(`${lines.join('\n')}\n`);
  });

  // GNS3 2.2 pings whenever a second passes without any event.
  app.get('/notifications/ws', runtime.upgradeWebSocket(eventSocket(compute.notifier, pingEvent, 1000)));

  return app;
}
