/**
 * Start-up reaping of containers: every container carries the state directory of the agent that made it as a label,
 * so after a crash the next agent on that directory removes exactly the containers its predecessor left, and never
 * a container made by hand or by another agent.
 */
import type { DockerEngine } from './engine.ts';
import { LABEL_STATE } from './settings.ts';

/** Force-removes the containers labelled with `stateDir`; returns their ids. */
export async function reapContainers(engine: DockerEngine, stateDir: string): Promise<string[]> {
  const ids = await engine.containersWithLabel(LABEL_STATE, stateDir);
  await Promise.all(ids.map((id) => engine.remove(id)));
  return ids;
}
