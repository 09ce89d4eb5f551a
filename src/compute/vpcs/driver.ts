/** The `vpcs` node type: schemas, per-project MAC ids and the node factory. */
import { VpcsCreate, VpcsUpdate } from './schemas.ts';
import type { NodeDriver } from '../drivers.ts';
import type { BaseNode, NodeInit } from '../node.ts';
import { VpcsNode } from './vpcs-node.ts';
import { fail } from '../../errors/index.ts';

/** VPCS derives its MAC from one byte, so a project holds at most 255 VPCS nodes (GNS3's limit too). */
const MAC_IDS = 255;

export function vpcsDriver(): NodeDriver {
  const macIds = new Map<string, Set<number>>();

  const takeMacId = (projectId: string): number => {
    const used = macIds.get(projectId) ?? new Set<number>();
    macIds.set(projectId, used);
    for (let id = 0; id < MAC_IDS; id++) {
      if (!used.has(id)) {
        used.add(id);
        return id;
      }
    }
    throw fail('VPCS_LIMIT', MAC_IDS);
  };

  return {
    type: 'vpcs',
    createSchema: VpcsCreate,
    updateSchema: VpcsUpdate,
    async create(init: NodeInit, fields: Record<string, unknown>) {
      const macId = takeMacId(init.project.id);
      try {
        return await VpcsNode.create({ ...init, macId }, fields as VpcsCreate);
      } catch (err) {
        macIds.get(init.project.id)?.delete(macId);
        throw err;
      }
    },
    forget(node: BaseNode) {
      macIds.get(node.project.id)?.delete((node as VpcsNode).macId);
    },
  };
}
