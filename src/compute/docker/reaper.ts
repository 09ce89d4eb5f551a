/**
 * Start-up reaping of containers: every container carries the state directory of the agent that made it as a label,
 * so after a crash the next agent on that directory removes exactly the containers its predecessor left, and never
 * a container made by hand or by another agent.
 */
import { existsSync } from 'node:fs';
import type { DockerDriver } from './driver.ts';
import { LABEL_DISPLAY, LABEL_STATE } from './settings.ts';
import { clearDeadDisplay } from './vnc.ts';

/**
 * Force-removes the containers labelled with `stateDir`, and the lock file and socket their VNC display's X server
 * (already killed by the process reaper) could not remove; returns their ids. Docker is only asked when an agent on
 * this state directory ever made a Docker node (its resources folder exists), so other agents never load the client.
 */
export async function reapContainers(driver: DockerDriver, stateDir: string): Promise<string[]> {
  if (!existsSync(driver.resourcesDir)) return [];
  const containers = await driver.engine.containersWithLabel(LABEL_STATE, stateDir);
  await Promise.all(containers.map(({ id }) => driver.engine.remove(id)));
  for (const { labels } of containers) {
    const display = Number(labels[LABEL_DISPLAY]);
    if (Number.isInteger(display) && display > 0) clearDeadDisplay(display);
  }
  return containers.map(({ id }) => id);
}
