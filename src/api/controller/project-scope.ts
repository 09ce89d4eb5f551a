/**
 * What the project-scoped controller routes share: the project of a request, running under a node's lock, and the
 * listing of a project's nodes, links or drawings.
 */
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
  /** A GET handler listing the project's `kind`: the live objects while it is opened, its .gns3 file's otherwise. */
  const listOf = (kind: 'nodes' | 'links' | 'drawings') => async (c: Context) => {
    const p = await project(c);
    if (p.status !== 'opened') return c.json((await p.readFile()).topology[kind]);
    return c.json([...p[kind].values()].map((item) => item.toJSON()));
  };
  return { project, withNode, listOf };
}
