/**
 * Request bodies of the v3 controller API. `v.object` drops unknown keys, as 3.0's pydantic models do, and read-only
 * keys clients echo back (`status`, `ports`, `project_id`...) are simply not declared.
 */
import * as v from 'valibot';
import { NODE_TYPES } from '../../controller/templates.ts';
import { Port, Uuid, Variables } from '../../compute/schemas.ts';

const Int = v.pipe(v.number(), v.integer());
const Text = v.pipe(v.string(), v.minLength(1));
/** 3.0 user, group and role names: at least 3 of `[a-zA-Z0-9_-]`. */
const AccountName = v.pipe(v.string(), v.regex(/^[a-zA-Z0-9_-]{3,}$/, 'must be at least 3 characters of a-z, A-Z, 0-9, "_" or "-"'), v.maxLength(100));
const Password = v.pipe(v.string(), v.minLength(8), v.maxLength(100));
const Email = v.nullable(v.pipe(v.string(), v.email()));

export const VersionCheck = v.object({ version: v.string() });
export const Credentials = v.object({ username: v.pipe(v.string(), v.maxLength(100)), password: v.pipe(v.string(), v.maxLength(100)) });

export const UserCreate = v.object({
  username: AccountName,
  password: Password,
  email: v.optional(Email),
  full_name: v.optional(v.nullable(v.pipe(v.string(), v.maxLength(200)))),
  is_active: v.optional(v.boolean()),
});
export const UserUpdate = v.partial(UserCreate);
/** What a user may change about itself: never its name, activity or privileges. */
export const UserSelfUpdate = v.object({ password: v.optional(Password), email: v.optional(Email), full_name: v.optional(v.nullable(v.string())) });

export const GroupBody = v.object({ name: AccountName });
export const GroupUpdate = v.partial(GroupBody);
export const RoleBody = v.object({ name: AccountName, description: v.optional(v.nullable(v.string())) });
export const RoleUpdate = v.partial(RoleBody);
export const PoolBody = v.object({ name: Text });
export const PoolUpdate = v.partial(PoolBody);

export const AceBody = v.object({
  ace_type: v.picklist(['user', 'group']),
  path: v.pipe(v.string(), v.startsWith('/'), v.maxLength(300)),
  propagate: v.optional(v.boolean(), true),
  allowed: v.optional(v.boolean(), true),
  user_id: v.optional(v.nullable(Uuid), null),
  group_id: v.optional(v.nullable(Uuid), null),
  role_id: Uuid,
});

export const ComputeCreate = v.object({
  protocol: v.picklist(['http', 'https']),
  host: Text,
  port: Port,
  user: v.string(),
  password: v.string(),
  name: v.optional(v.nullable(Text)),
  compute_id: v.optional(v.nullable(Uuid)),
});
export const ComputeUpdate = v.object({
  protocol: v.optional(v.picklist(['http', 'https'])),
  host: v.optional(Text),
  port: v.optional(Port),
  user: v.optional(v.string()),
  password: v.optional(v.string()),
  name: v.optional(Text),
});

const Supplier = v.nullable(v.object({ logo: v.string(), url: v.string() }));
const projectSettings = {
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
export const ProjectCreate = v.object({ name: Text, project_id: v.optional(Uuid), path: v.optional(v.nullable(v.string())), ...projectSettings });
export const ProjectUpdate = v.object({ name: v.optional(Text), ...projectSettings });
export const ProjectLoad = v.object({ path: Text });

const Label = v.object({
  text: v.optional(v.string()),
  style: v.optional(v.nullable(v.string())),
  x: v.optional(v.nullable(v.number())),
  y: v.optional(v.nullable(v.number())),
  rotation: v.optional(v.pipe(Int, v.minValue(-359), v.maxValue(360))),
});
const CustomAdapter = v.object({
  adapter_number: v.pipe(Int, v.minValue(0)),
  port_name: v.optional(v.string()),
  adapter_type: v.optional(v.string()),
  mac_address: v.optional(v.string()),
});
const ConsoleType = v.picklist(['vnc', 'telnet', 'http', 'https', 'spice', 'spice+agent', 'none']);
const V3_NODE_TYPES = NODE_TYPES.filter((t) => t !== 'traceng');

const nodeFields = {
  name: v.optional(Text),
  console: v.optional(v.nullable(Port)),
  console_type: v.optional(v.nullable(ConsoleType)),
  console_auto_start: v.optional(v.boolean()),
  aux: v.optional(v.nullable(Port)),
  aux_type: v.optional(v.nullable(ConsoleType)),
  properties: v.optional(v.record(v.string(), v.unknown())),
  label: v.optional(Label),
  symbol: v.optional(v.nullable(v.string())),
  x: v.optional(Int),
  y: v.optional(Int),
  z: v.optional(Int),
  locked: v.optional(v.boolean()),
  port_name_format: v.optional(v.string()),
  port_segment_size: v.optional(v.pipe(Int, v.minValue(0))),
  first_port_name: v.optional(v.nullable(v.string())),
  custom_adapters: v.optional(v.array(CustomAdapter)),
};
export const NodeCreate = v.object({
  ...nodeFields,
  compute_id: Text,
  name: Text,
  node_type: v.picklist(V3_NODE_TYPES),
  node_id: v.optional(Uuid),
  template_id: v.optional(v.nullable(Uuid)),
});
export const NodeUpdate = v.object(nodeFields);
export const NodeDuplicate = v.object({ x: Int, y: Int, z: v.optional(Int, 0) });
export const TemplateInstance = v.object({ x: Int, y: Int, compute_id: v.optional(v.nullable(v.string())) });
export const StartData = v.record(v.string(), v.unknown());

const LinkEnd = v.object({
  node_id: Uuid,
  adapter_number: v.pipe(Int, v.minValue(0)),
  port_number: v.pipe(Int, v.minValue(0)),
  label: v.optional(v.record(v.string(), v.unknown())),
});
const FilterValues = v.record(v.string(), v.array(v.union([v.string(), v.number()])));
const LinkStyle = v.object({ color: v.optional(v.nullable(v.string())), width: v.optional(v.nullable(Int)), type: v.optional(v.nullable(Int)) });
export const LinkCreate = v.object({
  nodes: v.pipe(v.array(LinkEnd), v.maxLength(2)),
  link_id: v.optional(Uuid),
  filters: v.optional(FilterValues),
  link_style: v.optional(LinkStyle),
  suspend: v.optional(v.boolean()),
});
export const LinkUpdate = v.object({
  nodes: v.optional(v.pipe(v.array(LinkEnd), v.maxLength(2))),
  filters: v.optional(FilterValues),
  link_style: v.optional(LinkStyle),
  suspend: v.optional(v.boolean()),
});
export const CaptureStart = v.object({
  data_link_type: v.optional(v.picklist(['DLT_ATM_RFC1483', 'DLT_EN10MB', 'DLT_FRELAY', 'DLT_C_HDLC', 'DLT_PPP_SERIAL']), 'DLT_EN10MB'),
  capture_file_name: v.optional(Text),
});

export const DrawingBody = v.object({
  x: v.optional(Int),
  y: v.optional(Int),
  z: v.optional(Int),
  locked: v.optional(v.boolean()),
  rotation: v.optional(v.pipe(Int, v.minValue(-359), v.maxValue(360))),
  svg: v.optional(v.string()),
});

export const TemplateCreate = v.looseObject({ name: Text, template_type: v.picklist(V3_NODE_TYPES) });
