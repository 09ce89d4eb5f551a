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
export function computeRow(compute: Pick<RemoteCompute, 'settings'>): Record<string, unknown> {
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

/** What a compute event is made of: a registered compute, or the last JSON of one that was just deleted. */
export type ComputeView = Pick<RemoteCompute, 'settings' | 'connected' | 'cpuUsage' | 'memoryUsage' | 'diskUsage' | 'lastError' | 'capabilities'>;

/** The view of a compute from its (v2) JSON, as `compute.deleted` carries it once the compute is gone. */
export function computeViewOf(json: Record<string, unknown>): ComputeView {
  return {
    settings: json as unknown as RemoteCompute['settings'], connected: json.connected === true, cpuUsage: (json.cpu_usage_percent as number) ?? null,
    memoryUsage: (json.memory_usage_percent as number) ?? null, diskUsage: null, lastError: (json.last_error as string) ?? null,
    capabilities: (json.capabilities as Record<string, unknown>) ?? {},
  };
}

/**
 * A compute as 3.0's `compute.*` events carry it: the row plus live state, `disk_usage_percent` (`disk` where the
 * compute reports none: the local one's folder), and capabilities with 3.0's six keys.
 */
export function computeLive(compute: ComputeView, disk: number | null): Record<string, unknown> {
  const caps = compute.capabilities;
  return {
    ...computeRow(compute),
    connected: compute.connected, cpu_usage_percent: compute.cpuUsage, memory_usage_percent: compute.memoryUsage,
    disk_usage_percent: compute.connected ? (compute.diskUsage ?? disk) : null, last_error: compute.lastError,
    capabilities: {
      version: caps.version ?? '', node_types: caps.node_types ?? [], platform: caps.platform ?? '', cpus: caps.cpus ?? 0, memory: caps.memory ?? 0,
      disk_size: caps.disk_size ?? 0,
    },
  };
}
