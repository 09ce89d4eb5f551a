/** v3 response shapes built from the domain objects' v2 JSON (additions only; the domain stays version-agnostic). */
import type { Node } from '../../controller/node.ts';
import type { RemoteCompute } from '../../controller/remote-compute.ts';

/** Node JSON of 3.0: the v2 keys plus `aux` and `aux_type` (null for types without an auxiliary console). */
export function v3Node(json: Record<string, unknown>): Record<string, unknown> {
  const properties = (json.properties ?? {}) as Record<string, unknown>;
  return { ...json, aux: json.aux ?? properties.aux ?? null, aux_type: json.aux_type ?? properties.aux_type ?? null };
}

export const nodeJson = (node: Node) => v3Node(node.toJSON());

const MASKED = '**********';

/** `GET /v3/computes` rows: what 3.0 keeps in its database, password masked, no live state. */
export function computeRow(compute: RemoteCompute): Record<string, unknown> {
  const s = compute.settings;
  return {
    protocol: s.protocol, host: s.host, port: s.port, user: s.user, password: MASKED, name: s.name,
    created_at: s.created_at ?? null, updated_at: s.updated_at ?? null, compute_id: s.compute_id,
  };
}

/** `POST /v3/computes` answers the database row in 3.0's full compute model, whose live keys are all null there. */
export const createdComputeRow = (compute: RemoteCompute) => ({
  ...computeRow(compute), connected: null, cpu_usage_percent: null, memory_usage_percent: null, disk_usage_percent: null, last_error: null, capabilities: null,
});
