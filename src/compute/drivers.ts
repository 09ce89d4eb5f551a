/** The node types a compute can host: each driver brings its valibot schemas and a factory. */
import type * as v from 'valibot';
import type { BaseNode, NodeInit } from './node.ts';

export interface NodeDriver {
  /** GNS3 node type as used in URLs and `capabilities.node_types`. */
  readonly type: string;
  readonly createSchema: v.GenericSchema;
  readonly updateSchema: v.GenericSchema;
  /** Builds a node from a validated create body; `init.id` is already decided. */
  create(init: NodeInit, fields: Record<string, unknown>): Promise<BaseNode>;
  /** Called once the node is gone (delete or project close), to free per-driver resources. */
  forget?(node: BaseNode): void;
}
