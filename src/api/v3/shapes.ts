/** v3 response shapes built from the domain objects' v2 JSON (additions only; the domain stays version-agnostic). */
import type { Node } from '../../controller/node.ts';

/** Node JSON of 3.0: the v2 keys plus `aux` and `aux_type` (null for types without an auxiliary console). */
export function v3Node(json: Record<string, unknown>): Record<string, unknown> {
  const properties = (json.properties ?? {}) as Record<string, unknown>;
  return { ...json, aux: json.aux ?? properties.aux ?? null, aux_type: json.aux_type ?? properties.aux_type ?? null };
}

export const nodeJson = (node: Node) => v3Node(node.toJSON());
