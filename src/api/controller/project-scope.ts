/** What the project-scoped controller routes share: the project of a request, and running under a node's lock. */
import type { Context } from 'hono';
import type { Controller } from '../../controller/controller.ts';
import type { Node } from '../../controller/node.ts';
import type { ControllerProject } from '../../controller/project.ts';
import { nodeLockKey } from '../../concurrency/keyed-lock.ts';

export function projectScope(controller: Controller) {
  /** The request's project, once it has finished opening. */
  const project = async (c: Context): Promise<ControllerProject> => {
    const found = controller.getProject(c.req.param('project_id')!);
    await found.ready();
    return found;
  };
  /** Runs `fn` under the node's FIFO lock (GNS3 serialises every request on one node). */
  const withNode = async <T>(c: Context, fn: (node: Node, p: ControllerProject) => Promise<T>): Promise<T> => {
    const p = await project(c);
    const nodeId = c.req.param('node_id')!;
    return controller.locks.run(nodeLockKey(p.id, nodeId), async () => fn(p.getNode(nodeId), p));
  };
  return { project, withNode };
}
