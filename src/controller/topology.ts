/** The `.gns3` topology file (GNS3 2.2, revision 9): schema, loading with the rev-9 fix-ups, and serialisation. */
import * as v from 'valibot';
import { describeIssues } from '../errors/validation.ts';
import { toSortedJson } from './json-text.ts';
import { GNS3_VERSION, TOPOLOGY_REVISION } from './version.ts';
import { fail } from '../errors/index.ts';

const uuid = v.pipe(v.string(), v.uuid());

export const labelSchema = v.object({
  text: v.optional(v.string()),
  style: v.optional(v.nullable(v.string())),
  x: v.optional(v.nullable(v.number())),
  y: v.optional(v.nullable(v.number())),
  rotation: v.optional(v.number()),
});
export type Label = v.InferOutput<typeof labelSchema>;

const customAdapterSchema = v.looseObject({
  adapter_number: v.pipe(v.number(), v.integer()),
  port_name: v.optional(v.string()),
  adapter_type: v.optional(v.string()),
  mac_address: v.optional(v.string()),
});
export type CustomAdapter = v.InferOutput<typeof customAdapterSchema>;

export const variablesSchema = v.nullable(
  v.array(v.object({ name: v.pipe(v.string(), v.minLength(1)), value: v.optional(v.string()) })),
);
export const supplierSchema = v.nullable(v.object({ logo: v.string(), url: v.string() }));

/** Compute as stored in a topology: only how to reach it, never credentials. */
export const topologyComputeSchema = v.object({
  compute_id: v.string(),
  name: v.string(),
  protocol: v.picklist(['http', 'https']),
  host: v.string(),
  port: v.pipe(v.number(), v.integer()),
});

/**
 * Node in topology-dump form. Loose: files written by real GNS3 may carry keys of node types we do not model,
 * and refusing a whole project over one of them helps nobody.
 */
export const topologyNodeSchema = v.looseObject({
  compute_id: v.string(),
  node_id: uuid,
  node_type: v.string(),
  name: v.string(),
  template_id: v.optional(v.nullable(v.string())),
  console: v.optional(v.nullable(v.number())),
  console_type: v.optional(v.nullable(v.string())),
  console_auto_start: v.optional(v.boolean()),
  properties: v.optional(v.record(v.string(), v.unknown())),
  label: v.optional(labelSchema),
  x: v.optional(v.number()),
  y: v.optional(v.number()),
  z: v.optional(v.number()),
  locked: v.optional(v.boolean()),
  width: v.optional(v.number()),
  height: v.optional(v.number()),
  symbol: v.optional(v.nullable(v.string())),
  port_name_format: v.optional(v.string()),
  port_segment_size: v.optional(v.number()),
  first_port_name: v.optional(v.nullable(v.string())),
  custom_adapters: v.optional(v.array(customAdapterSchema)),
});
export type TopologyNode = v.InferOutput<typeof topologyNodeSchema>;

export const linkEndSchema = v.object({
  node_id: uuid,
  adapter_number: v.pipe(v.number(), v.integer(), v.minValue(0)),
  port_number: v.pipe(v.number(), v.integer(), v.minValue(0)),
  label: v.optional(v.looseObject({})),
});
export type LinkEnd = v.InferOutput<typeof linkEndSchema>;

export const topologyLinkSchema = v.object({
  link_id: uuid,
  nodes: v.array(linkEndSchema),
  filters: v.optional(v.record(v.string(), v.array(v.union([v.string(), v.number()])))),
  link_style: v.optional(v.looseObject({})),
  suspend: v.optional(v.boolean()),
});
export type TopologyLink = v.InferOutput<typeof topologyLinkSchema>;

export const topologyDrawingSchema = v.object({
  drawing_id: uuid,
  x: v.optional(v.number()),
  y: v.optional(v.number()),
  z: v.optional(v.number()),
  locked: v.optional(v.boolean()),
  rotation: v.optional(v.number()),
  svg: v.optional(v.string()),
});
export type TopologyDrawing = v.InferOutput<typeof topologyDrawingSchema>;

/** Project-level settings shared by the API project object and the file. */
export const projectSettingsEntries = {
  auto_start: v.optional(v.boolean()),
  auto_open: v.optional(v.boolean()),
  auto_close: v.optional(v.boolean()),
  scene_width: v.optional(v.pipe(v.number(), v.integer())),
  scene_height: v.optional(v.pipe(v.number(), v.integer())),
  zoom: v.optional(v.pipe(v.number(), v.integer())),
  grid_size: v.optional(v.pipe(v.number(), v.integer())),
  drawing_grid_size: v.optional(v.pipe(v.number(), v.integer())),
  show_layers: v.optional(v.boolean()),
  snap_to_grid: v.optional(v.boolean()),
  show_grid: v.optional(v.boolean()),
  show_interface_labels: v.optional(v.boolean()),
  supplier: v.optional(supplierSchema),
  variables: v.optional(variablesSchema),
};

export const topologyFileSchema = v.strictObject({
  project_id: uuid,
  name: v.string(),
  type: v.literal('topology'),
  revision: v.pipe(v.number(), v.integer()),
  version: v.string(),
  ...projectSettingsEntries,
  topology: v.strictObject({
    computes: v.array(topologyComputeSchema),
    nodes: v.array(topologyNodeSchema),
    links: v.array(topologyLinkSchema),
    drawings: v.array(topologyDrawingSchema),
  }),
});
export type TopologyFile = v.InferOutput<typeof topologyFileSchema>;

export type ProjectSettings = {
  auto_start: boolean;
  auto_open: boolean;
  auto_close: boolean;
  scene_width: number;
  scene_height: number;
  zoom: number;
  grid_size: number;
  drawing_grid_size: number;
  show_layers: boolean;
  snap_to_grid: boolean;
  show_grid: boolean;
  show_interface_labels: boolean;
  supplier: { logo: string; url: string } | null;
  variables: Array<{ name: string; value?: string }> | null;
};

export const DEFAULT_PROJECT_SETTINGS: Readonly<ProjectSettings> = {
  auto_start: false,
  auto_open: false,
  auto_close: true,
  scene_width: 2000,
  scene_height: 1000,
  zoom: 100,
  grid_size: 75,
  drawing_grid_size: 25,
  show_layers: false,
  snap_to_grid: false,
  show_grid: false,
  show_interface_labels: false,
  supplier: null,
  variables: null,
};

export const SETTING_KEYS = Object.keys(DEFAULT_PROJECT_SETTINGS) as Array<keyof ProjectSettings>;

/** Picks the project settings out of a loaded file, defaulting what older files lack. */
export function settingsOf(file: TopologyFile): ProjectSettings {
  const out = { ...DEFAULT_PROJECT_SETTINGS } as Record<string, unknown>;
  for (const key of SETTING_KEYS) if (file[key] !== undefined) out[key] = file[key];
  return out as ProjectSettings;
}

function invalid(issues: readonly v.BaseIssue<unknown>[]): never {
  throw fail('TOPOLOGY_INVALID', describeIssues(issues));
}

/**
 * Parses `.gns3` text. Rejects files from newer GNS3 (revision > 9) and pre-2.1 files, whose converters we do not
 * carry; applies the revision-9 fix-ups GNS3 applies on every load.
 */
export function parseTopology(text: string): TopologyFile {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (err) {
    throw fail('TOPOLOGY_INVALID', (err as Error).message);
  }
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) throw fail('TOPOLOGY_INVALID', 'not a JSON object');
  const record = raw as Record<string, unknown>;
  const revision = record.revision;
  if (typeof revision === 'number' && revision > TOPOLOGY_REVISION) {
    throw fail('TOPOLOGY_TOO_NEW', revision, String(record.version ?? 'unknown'));
  }
  if (typeof revision === 'number' && revision < TOPOLOGY_REVISION) {
    throw fail('TOPOLOGY_TOO_OLD', revision);
  }
  const topology = record.topology as Record<string, unknown> | undefined;
  if (topology && Array.isArray(topology.nodes)) {
    for (const node of topology.nodes as Array<Record<string, unknown>>) {
      if (node && typeof node === 'object') {
        if ('appliance_id' in node) {
          node.template_id ??= node.appliance_id;
          delete node.appliance_id;
        }
        if ('console_type' in node && node.console_type === null) node.console_type = 'none';
      }
    }
  }
  if (Array.isArray(record.variables)) {
    record.variables = (record.variables as Array<Record<string, unknown>>).filter((item) => item && item.name);
  }
  const result = v.safeParse(topologyFileSchema, record);
  if (!result.success) invalid(result.issues);
  return result.output;
}

/** Builds the file object for a project and validates it (GNS3 refuses to write an invalid topology too). */
export function buildTopology(input: {
  project_id: string;
  name: string;
  settings: ProjectSettings;
  computes: TopologyFile['topology']['computes'];
  nodes: TopologyNode[];
  links: TopologyLink[];
  drawings: TopologyDrawing[];
  version?: string;
}): TopologyFile {
  const file = {
    project_id: input.project_id,
    name: input.name,
    type: 'topology' as const,
    revision: TOPOLOGY_REVISION,
    version: input.version ?? GNS3_VERSION,
    ...input.settings,
    topology: { computes: input.computes, nodes: input.nodes, links: input.links, drawings: input.drawings },
  };
  const result = v.safeParse(topologyFileSchema, file);
  if (!result.success) invalid(result.issues);
  return file;
}

/** `.gns3` text: sorted keys, 4-space indent, `null` kept for supplier/variables as GNS3 writes them. */
export function serializeTopology(file: TopologyFile): string {
  return toSortedJson({ ...file, supplier: file.supplier ?? null, variables: file.variables ?? null }) + '\n';
}
