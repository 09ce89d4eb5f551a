/** The `vpcs` node type: schemas, per-project MAC ids and the node factory. */
import { VpcsCreate, VpcsUpdate } from './schemas.ts';
import type { NodeDriver } from '../drivers.ts';
import type { BaseNode, NodeInit } from '../node.ts';
import { VpcsNode } from './vpcs-node.ts';
import { fail } from '../../errors/index.ts';
import { IdPool } from '../id-pool.ts';

/** VPCS derives its MAC from one byte, so a project holds at most 255 VPCS nodes (GNS3's limit too). */
const MAC_IDS = 255;

export function vpcsDriver(): NodeDriver {
  const macIds = new IdPool({ first: 0, last: MAC_IDS - 1 }, { exhausted: () => fail('VPCS_LIMIT', MAC_IDS) });
  return {
    type: 'vpcs',
    createSchema: VpcsCreate,
    updateSchema: VpcsUpdate,
    create: (init: NodeInit, fields: Record<string, unknown>) =>
      macIds.lend(init.project.id, (macId) => VpcsNode.create({ ...init, macId }, fields as VpcsCreate)),
    forget(node: BaseNode) {
      macIds.release(node.project.id, (node as VpcsNode).macId);
    },
  };
}
