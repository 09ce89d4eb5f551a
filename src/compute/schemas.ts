/** Schemas shared by compute and controller routes. */
import * as v from 'valibot';
import { validateFilters } from '../relay/filters/chain.ts';

export const UUID_PATTERN = /^[a-fA-F0-9]{8}-[a-fA-F0-9]{4}-[a-fA-F0-9]{4}-[a-fA-F0-9]{4}-[a-fA-F0-9]{12}$/;

export const Uuid = v.pipe(v.string(), v.regex(UUID_PATTERN, 'must be a UUID'));
export const Port = v.pipe(v.number(), v.integer(), v.minValue(1), v.maxValue(65535));
export const Name = v.pipe(v.string(), v.minLength(1, 'must not be empty'));
export const ConsoleType = v.picklist(['telnet', 'vnc', 'spice', 'spice+agent', 'none']);

export const Variables = v.nullable(
  v.array(v.strictObject({ name: Name, value: v.optional(v.string()) })),
);

/** Fields GNS3 accepts on projects but that only matter to a GUI. */
const projectUiFields = {
  auto_close: v.optional(v.boolean()),
  auto_open: v.optional(v.boolean()),
  auto_start: v.optional(v.boolean()),
  show_layers: v.optional(v.boolean()),
  snap_to_grid: v.optional(v.boolean()),
  show_grid: v.optional(v.boolean()),
  show_interface_labels: v.optional(v.boolean()),
  scene_height: v.optional(v.number()),
  scene_width: v.optional(v.number()),
  zoom: v.optional(v.number()),
  grid_size: v.optional(v.number()),
  drawing_grid_size: v.optional(v.number()),
  supplier: v.optional(v.nullable(v.object({ logo: v.string(), url: v.string() }))),
};

export const ComputeProjectCreate = v.strictObject({
  name: v.nullable(Name),
  project_id: v.optional(v.nullable(Uuid)),
  path: v.optional(v.nullable(Name)),
  variables: v.optional(Variables),
  ...projectUiFields,
});
export type ComputeProjectCreate = v.InferOutput<typeof ComputeProjectCreate>;

export const ComputeProjectUpdate = v.strictObject({
  name: v.optional(v.nullable(Name)),
  path: v.optional(v.nullable(v.string())),
  variables: v.optional(Variables),
  ...projectUiFields,
});

/** Link filters (GNS3 names plus `bandwidth`); unknown filters or bad arguments are a 400, not a relay error. */
export const Filters = v.pipe(
  v.record(v.string(), v.array(v.union([v.string(), v.number()]))),
  v.rawCheck(({ dataset, addIssue }) => {
    if (!dataset.typed) return;
    const problem = validateFilters(dataset.value);
    if (problem) addIssue({ message: problem });
  }),
);

export const UdpNio = v.strictObject({
  type: v.literal('nio_udp'),
  lport: Port,
  rhost: Name,
  rport: Port,
  suspend: v.optional(v.boolean(), false),
  filters: v.optional(Filters, {}),
});
export const TapNio = v.strictObject({ type: v.literal('nio_tap'), tap_device: v.string() });
export const EthernetNio = v.strictObject({
  type: v.picklist(['nio_ethernet', 'nio_generic_ethernet', 'nio_linux_ethernet']),
  ethernet_device: v.string(),
});
export const Nio = v.variant('type', [UdpNio, TapNio, EthernetNio]);
export type Nio = v.InferOutput<typeof Nio>;
export type UdpNio = v.InferOutput<typeof UdpNio>;

export const CaptureStart = v.strictObject({
  capture_file_name: Name,
  data_link_type: v.optional(
    v.picklist(['DLT_ATM_RFC1483', 'DLT_EN10MB', 'DLT_FRELAY', 'DLT_C_HDLC', 'DLT_PPP_SERIAL']),
    'DLT_EN10MB',
  ),
});

export const Duplicate = v.object({ destination_node_id: Uuid });
