/** Request bodies of the controller API (GNS3 v2.2 schemas), the single source of their types. */
import { PLATFORMS } from '../compute/dynamips/platforms.ts';
import * as v from 'valibot';
import { Name, Port, Uuid, Variables } from '../compute/schemas.ts';
import { NODE_TYPES } from './templates.ts';

export const Int = v.pipe(v.number(), v.integer());
const Supplier = v.nullable(v.object({ logo: v.string(), url: v.string() }));

/** Project settings a client may set (both API versions). */
export const projectSettings = {
  auto_close: v.optional(v.boolean()),
  auto_open: v.optional(v.boolean()),
  auto_start: v.optional(v.boolean()),
  scene_height: v.optional(Int),
  scene_width: v.optional(Int),
  zoom: v.optional(Int),
  show_layers: v.optional(v.boolean()),
  snap_to_grid: v.optional(v.boolean()),
  show_grid: v.optional(v.boolean()),
  grid_size: v.optional(Int),
  drawing_grid_size: v.optional(Int),
  show_interface_labels: v.optional(v.boolean()),
  supplier: v.optional(Supplier),
  variables: v.optional(Variables),
};

/** `POST /v2/computes/{id}/auto_idlepc` (gns3-server has no schema; these three are what it reads). */
export const AutoIdlePc = v.object({
  platform: v.picklist(PLATFORMS, `must be one of ${PLATFORMS.join(', ')}`),
  image: v.pipe(v.string(), v.minLength(1)),
  ram: v.pipe(v.number(), v.integer()),
});

export const VersionCheck = v.strictObject({ version: v.string(), local: v.optional(v.boolean()) });

export const ComputeCreate = v.strictObject({
  compute_id: v.optional(v.string()),
  name: v.optional(v.string()),
  protocol: v.picklist(['http', 'https']),
  host: v.pipe(v.string(), v.minLength(1)),
  port: Port,
  user: v.optional(v.nullable(v.string())),
  password: v.optional(v.nullable(v.string())),
});
export type ComputeCreate = v.InferOutput<typeof ComputeCreate>;

export const ComputeUpdate = v.partial(ComputeCreate);

export const ProjectCreate = v.strictObject({
  name: Name,
  project_id: v.optional(Uuid),
  path: v.optional(v.nullable(v.string())),
  ...projectSettings,
});

export const ProjectUpdate = v.strictObject({
  name: v.optional(Name),
  path: v.optional(v.nullable(v.string())),
  ...projectSettings,
});

export const ProjectDuplicate = v.strictObject({
  name: Name,
  project_id: v.optional(Uuid),
  path: v.optional(v.nullable(v.string())),
  reset_mac_addresses: v.optional(v.boolean()),
  ...projectSettings,
});

export const ProjectLoad = v.strictObject({ path: v.pipe(v.string(), v.minLength(1)) });

export const Label = v.object({
  text: v.optional(v.string()),
  style: v.optional(v.nullable(v.string())),
  x: v.optional(v.nullable(v.number())),
  y: v.optional(v.nullable(v.number())),
  rotation: v.optional(v.pipe(Int, v.minValue(-359), v.maxValue(360))),
});

export const CustomAdapter = v.looseObject({
  adapter_number: v.pipe(Int, v.minValue(0)),
  port_name: v.optional(v.string()),
  adapter_type: v.optional(v.string()),
  mac_address: v.optional(v.string()),
});

/** Every field of a node a client may send; read-only ones are accepted and ignored (GNS3 echoes them back). */
export const nodeFields = {
  compute_id: v.optional(v.string()),
  project_id: v.optional(Uuid),
  node_id: v.optional(Uuid),
  template_id: v.optional(v.nullable(Uuid)),
  node_type: v.optional(v.picklist(NODE_TYPES)),
  node_directory: v.optional(v.nullable(v.string())),
  command_line: v.optional(v.nullable(v.string())),
  name: v.optional(Name),
  console: v.optional(v.nullable(Port)),
  console_host: v.optional(v.nullable(v.string())),
  console_type: v.optional(v.nullable(v.picklist(['vnc', 'telnet', 'http', 'https', 'spice', 'spice+agent', 'none']))),
  console_auto_start: v.optional(v.boolean()),
  properties: v.optional(v.record(v.string(), v.unknown())),
  status: v.optional(v.picklist(['stopped', 'started', 'suspended'])),
  label: v.optional(Label),
  symbol: v.optional(v.nullable(v.string())),
  width: v.optional(Int),
  height: v.optional(Int),
  x: v.optional(Int),
  y: v.optional(Int),
  z: v.optional(Int),
  locked: v.optional(v.boolean()),
  port_name_format: v.optional(v.string()),
  port_segment_size: v.optional(v.pipe(Int, v.minValue(0))),
  first_port_name: v.optional(v.nullable(v.string())),
  custom_adapters: v.optional(v.array(CustomAdapter)),
  ports: v.optional(v.array(v.unknown())),
};

export const NodeCreate = v.strictObject({
  ...nodeFields,
  name: Name,
  node_type: v.picklist(NODE_TYPES),
  compute_id: v.string(),
});
export type NodeCreate = v.InferOutput<typeof NodeCreate>;

export const NodeUpdate = v.strictObject(nodeFields);

export const NodeDuplicate = v.strictObject({ x: Int, y: Int, z: v.optional(Int) });

export const TemplateInstance = v.strictObject({
  x: Int,
  y: Int,
  name: v.optional(v.nullable(v.string())),
  compute_id: v.optional(v.nullable(v.string())),
});

export const LinkEnd = v.object({
  node_id: Uuid,
  adapter_number: v.pipe(Int, v.minValue(0)),
  port_number: v.pipe(Int, v.minValue(0)),
  label: v.optional(v.looseObject({})),
});

export const FilterValues = v.record(v.string(), v.array(v.union([v.string(), v.number()])));

const linkFields = {
  link_id: v.optional(Uuid),
  project_id: v.optional(Uuid),
  link_type: v.optional(v.picklist(['ethernet', 'serial'])),
  capturing: v.optional(v.boolean()),
  capture_file_name: v.optional(v.nullable(v.string())),
  capture_file_path: v.optional(v.nullable(v.string())),
  capture_compute_id: v.optional(v.nullable(v.string())),
  filters: v.optional(FilterValues),
  link_style: v.optional(v.looseObject({})),
  suspend: v.optional(v.boolean()),
};

export const LinkCreate = v.strictObject({ ...linkFields, nodes: v.pipe(v.array(LinkEnd), v.maxLength(2)) });
export const LinkUpdate = v.strictObject({ ...linkFields, nodes: v.optional(v.array(LinkEnd)) });

export const CaptureStart = v.strictObject({
  data_link_type: v.optional(v.picklist(['DLT_ATM_RFC1483', 'DLT_EN10MB', 'DLT_FRELAY', 'DLT_C_HDLC', 'DLT_PPP_SERIAL']), 'DLT_EN10MB'),
  capture_file_name: v.optional(v.pipe(v.string(), v.minLength(1))),
});

export const drawingFields = {
  drawing_id: v.optional(Uuid),
  project_id: v.optional(Uuid),
  x: v.optional(Int),
  y: v.optional(Int),
  z: v.optional(Int),
  locked: v.optional(v.boolean()),
  rotation: v.optional(v.pipe(Int, v.minValue(-359), v.maxValue(360))),
  svg: v.optional(v.string()),
};
export const DrawingBody = v.strictObject(drawingFields);

export const SnapshotCreate = v.strictObject({ name: Name });

export const TemplateUpdate = v.record(v.string(), v.unknown());

/** `PUT /v2/iou_license` takes either key; 3.0 requires both (`api/v3/schemas.ts`). */
export const IouLicense = v.object({ iourc_content: v.optional(v.string()), license_check: v.optional(v.boolean()) });

export const Gns3Vm = v.object({
  enable: v.optional(v.boolean()),
  vmname: v.optional(v.nullable(v.string())),
  when_exit: v.optional(v.picklist(['stop', 'suspend', 'keep'])),
  headless: v.optional(v.boolean()),
  engine: v.optional(v.nullable(v.picklist(['vmware', 'virtualbox', 'hyper-v', 'none', 'remote']))),
  allocate_vcpus_ram: v.optional(v.boolean()),
  vcpus: v.optional(Int),
  ram: v.optional(Int),
  port: v.optional(Port),
});

/** Optional body of a node start/stop/suspend/reload, passed on to the compute as is. */
export const NodeActionBody = v.record(v.string(), v.unknown());
