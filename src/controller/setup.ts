/** Wires a controller into a patchbay process: options from the agent configuration, and the in-process local compute. */
import { dirname, join } from 'node:path';
import type { AgentConfig } from '../config/agent-config.ts';
import type { Notifier } from '../compute/notifier.ts';
import { IMPORT_LIMITS } from './archive.ts';
import { InProcessComputeClient, urlHost } from './compute-client.ts';
import { Controller } from './controller.ts';

/** Controller state lives beside the projects folder (GNS3 keeps `symbols/` and `configs/` beside `projects/` too). */
export function createController(config: AgentConfig): Controller {
  const base = dirname(config.projects_dir);
  return new Controller({
    projectsDir: config.projects_dir,
    configFile: join(base, 'gns3_controller.conf'),
    symbolsDir: join(base, 'symbols'),
    configsDir: join(base, 'configs'),
    local: false,
    version: config.gns3_version,
    importLimits: {
      memberBytes: config.import_max_member_bytes ?? IMPORT_LIMITS.memberBytes,
      totalBytes: config.import_max_bytes ?? IMPORT_LIMITS.totalBytes,
      members: config.import_max_members ?? IMPORT_LIMITS.members,
    },
  });
}

/**
 * Once listening: registers the local compute and loads projects from disk. `compute` answers compute-API requests
 * in-process (paths without `/v2/compute`); only console WebSockets go through the socket.
 */
export async function startController(
  controller: Controller,
  local: { compute: (request: Request) => Promise<Response>; notifier: Notifier; config: AgentConfig; port: number; tls: boolean },
): Promise<void> {
  const { config } = local;
  const client = new InProcessComputeClient(local.compute, local.notifier, {
    base: 'http://local',
    wsBase: `${local.tls ? 'wss' : 'ws'}://${urlHost(config.host)}:${local.port}/v2/compute`,
  });
  controller.addLocalCompute(client, {
    protocol: local.tls ? 'https' : 'http',
    host: config.host,
    port: local.port,
    user: config.user ?? null,
    password: config.password ?? null,
  });
  await controller.start();
}
