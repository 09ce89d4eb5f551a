/**
 * Every route of the GNS3 v2.2 compute and controller APIs, transcribed by hand from the route tables of
 * ../shared/spec/compute-api.md and controller-api.md: verb, path template, success status, required response keys and
 * the defaults the spec documents. The conformance test walks this table in order (so creates come before the
 * requests that need them, and destructive calls last); `npm run conformance` probes every row for existence.
 */

export type Api = 'compute' | 'controller';
export type Method = 'GET' | 'POST' | 'PUT' | 'DELETE';

export type RouteSpec = {
  api: Api;
  method: Method;
  /** Full path template with GNS3's parameter names, e.g. `/v2/compute/projects/{project_id}`. */
  path: string;
  /** Success status the spec gives. */
  status: number;
  /** Spec section the row comes from. */
  section: string;
  /** Response keys the spec says are always present (checked on the object, or on the first element of an array). */
  fields?: string[];
  /** Response values the spec gives as defaults for the fixture the walker creates. */
  defaults?: Record<string, unknown>;
  /** `array`: the body is a JSON array; `empty`: no body (204 and friends); `raw`: non-JSON bytes. */
  shape?: 'object' | 'array' | 'empty' | 'raw';
  /** Request body the walker sends. */
  body?: unknown;
  /** Which fixture the path parameters point at: `victim` objects exist to be deleted, `dest` is a duplicate target. */
  role?: 'main' | 'victim' | 'dest';
  /**
   * Why the walker only probes the route for existence instead of checking its answer: streams that never end,
   * websockets, routes whose success needs something this machine lacks, or calls that would end the daemon.
   */
  probeOnly?: string;
  /** The spec marks the route as optional, broken upstream or a safe stub. */
  optional?: string;
};

const C = '/v2/compute';
const VPCS_FIELDS = ['name', 'node_id', 'project_id', 'node_directory', 'status', 'console', 'console_type', 'command_line'];
const NIO = { type: 'nio_udp', lport: 0, rhost: '127.0.0.1', rport: 0 };
const DYNAMIPS_FIELDS = ['name', 'node_id', 'project_id', 'dynamips_id', 'console', 'console_type'];
const IDLE_PC = 'Dynamips samples the router for 10–30 s: probed on a deleted router, answers checked by test/dynamips';
const CAPTURE = { capture_file_name: 'conformance.pcap', data_link_type: 'DLT_EN10MB' };
const NODE_STREAM = 'pcap streams until the capture stops';

/** The node routes of one node type (§3.0 and the per-type tables); `extra` adds type-specific rows. */
function nodeRoutes(
  type: string,
  section: string,
  options: {
    create: unknown;
    fields: string[];
    defaults?: Record<string, unknown>;
    startStatus: number;
    update: unknown;
    updateStatus?: number;
    nioPut?: boolean;
    duplicate?: boolean;
    reload?: boolean;
    console?: boolean;
    resume?: boolean;
    probeOnly?: string;
    optional?: string;
  },
): RouteSpec[] {
  const base = `${C}/projects/{project_id}/${type}/nodes`;
  const node = `${base}/{node_id}`;
  const port = `${node}/adapters/{adapter_number}/ports/{port_number}`;
  const common = { api: 'compute' as const, section, probeOnly: options.probeOnly, optional: options.optional };
  const rows: RouteSpec[] = [
    { ...common, method: 'POST', path: base, status: 201, body: options.create, fields: options.fields, defaults: options.defaults },
    { ...common, method: 'GET', path: node, status: 200, fields: options.fields },
    { ...common, method: 'PUT', path: node, status: options.updateStatus ?? 200, body: options.update, fields: options.fields },
    { ...common, method: 'POST', path: `${node}/adapters/{adapter_number}/ports/{port_number}/nio`, status: 201, body: NIO, fields: ['type', 'lport', 'rhost', 'rport'] },
  ];
  if (options.nioPut) rows.push({ ...common, method: 'PUT', path: `${port}/nio`, status: 201, body: { ...NIO, filters: {} }, fields: ['type'] });
  rows.push(
    { ...common, method: 'POST', path: `${port}/start_capture`, status: 200, body: CAPTURE, fields: ['pcap_file_path'] },
    { ...common, method: 'GET', path: `${port}/pcap`, status: 200, probeOnly: NODE_STREAM },
    { ...common, method: 'POST', path: `${port}/stop_capture`, status: 204, shape: 'empty' },
    { ...common, method: 'DELETE', path: `${port}/nio`, status: 204, shape: 'empty' },
    { ...common, method: 'POST', path: `${node}/start`, status: options.startStatus, shape: options.startStatus === 204 ? 'empty' : 'object', fields: options.startStatus === 200 ? options.fields : undefined },
    { ...common, method: 'POST', path: `${node}/suspend`, status: 204, shape: 'empty' },
  );
  if (options.resume) rows.push({ ...common, method: 'POST', path: `${node}/resume`, status: 204, shape: 'empty' });
  if (options.reload) rows.push({ ...common, method: 'POST', path: `${node}/reload`, status: 204, shape: 'empty' });
  if (options.console) {
    rows.push(
      { ...common, method: 'POST', path: `${node}/console/reset`, status: 204, shape: 'empty' },
      { ...common, method: 'GET', path: `${node}/console/ws`, status: 101, probeOnly: 'websocket upgrade' },
    );
  }
  rows.push({ ...common, method: 'POST', path: `${node}/stop`, status: 204, shape: 'empty' });
  if (options.duplicate) rows.push({ ...common, method: 'POST', path: `${node}/duplicate`, status: 201, body: { destination_node_id: '{dest_node_id}' }, fields: ['node_id'] });
  rows.push({ ...common, method: 'DELETE', path: node, status: 204, shape: 'empty', role: 'victim' });
  return rows;
}

export const COMPUTE_ROUTES: RouteSpec[] = [
  // §1.7, §1.8, §2.1 server endpoints
  { api: 'compute', method: 'GET', path: `${C}/version`, status: 200, section: '§1.7', fields: ['version', 'local'] },
  { api: 'compute', method: 'GET', path: `${C}/capabilities`, status: 200, section: '§1.8', fields: ['version', 'platform', 'node_types'] },
  {
    api: 'compute', method: 'GET', path: `${C}/statistics`, status: 200, section: '§2.1',
    fields: ['memory_total', 'memory_free', 'memory_used', 'swap_total', 'swap_free', 'swap_used', 'cpu_usage_percent', 'memory_usage_percent', 'swap_usage_percent', 'disk_usage_percent', 'load_average_percent'],
  },
  { api: 'compute', method: 'GET', path: `${C}/debug`, status: 200, section: '§2.1', shape: 'raw', optional: 'free-form text dump; nothing depends on it' },
  { api: 'compute', method: 'GET', path: `${C}/network/interfaces`, status: 200, section: '§2.1', shape: 'array', fields: ['id', 'name', 'ip_address', 'netmask', 'mac_address', 'type', 'special'] },
  { api: 'compute', method: 'GET', path: `${C}/network/ports`, status: 200, section: '§2.1', fields: ['console_port_range', 'console_ports', 'udp_port_range', 'udp_ports'] },
  { api: 'compute', method: 'GET', path: `${C}/notifications/ws`, status: 101, section: '§2.5', probeOnly: 'websocket upgrade' },
  // §2.2 projects
  { api: 'compute', method: 'GET', path: `${C}/projects`, status: 200, section: '§2.2', shape: 'array', fields: ['name', 'project_id', 'variables'] },
  { api: 'compute', method: 'POST', path: `${C}/projects`, status: 201, section: '§2.2', body: { name: 'conformance-extra' }, fields: ['name', 'project_id', 'variables'], defaults: { variables: null } },
  { api: 'compute', method: 'GET', path: `${C}/projects/{project_id}`, status: 200, section: '§2.2', fields: ['name', 'project_id', 'variables'] },
  { api: 'compute', method: 'PUT', path: `${C}/projects/{project_id}`, status: 200, section: '§2.2', body: { variables: [{ name: 'a', value: 'b' }] }, fields: ['name', 'project_id', 'variables'] },
  { api: 'compute', method: 'POST', path: `${C}/projects/{project_id}/ports/udp`, status: 201, section: '§2.1', body: {}, fields: ['udp_port'] },
  { api: 'compute', method: 'POST', path: `${C}/projects/{project_id}/files/{path}`, status: 201, section: '§2.2', body: 'conformance\n', shape: 'raw' },
  { api: 'compute', method: 'GET', path: `${C}/projects/{project_id}/files`, status: 200, section: '§2.2', shape: 'array', fields: ['path', 'md5sum'] },
  { api: 'compute', method: 'GET', path: `${C}/projects/{project_id}/files/{path}`, status: 200, section: '§2.2', shape: 'raw' },
  { api: 'compute', method: 'GET', path: `${C}/projects/{project_id}/notifications`, status: 200, section: '§2.2', probeOnly: 'legacy stream', optional: 'broken in 2.2.x; implementers may omit it' },
  // §3.1 VPCS
  ...nodeRoutes('vpcs', '§3.1', {
    create: { name: 'VPCS-C' }, fields: VPCS_FIELDS, defaults: { status: 'stopped', console_type: 'telnet', command_line: '' },
    startStatus: 200, update: { name: 'VPCS-D' }, nioPut: true, duplicate: true, reload: true, console: true,
  }),
  // §3.2 QEMU (the node routes need a bootable image; only probed)
  ...nodeRoutes('qemu', '§3.2', {
    create: { name: 'QEMU-C' }, fields: ['name', 'node_id', 'project_id', 'status', 'console', 'console_type', 'ram', 'cpus', 'adapters'],
    startStatus: 200, update: { name: 'QEMU-D' }, nioPut: true, duplicate: true, reload: true, console: true, resume: true,
    probeOnly: 'QEMU node routes need a disk image and a VM boot',
  }),
  { api: 'compute', method: 'POST', path: `${C}/projects/{project_id}/qemu/nodes/{node_id}/resize_disk`, status: 201, section: '§3.2', probeOnly: 'needs a QEMU disk' },
  { api: 'compute', method: 'GET', path: `${C}/qemu/binaries`, status: 200, section: '§3.2', shape: 'array', fields: ['path', 'version'] },
  { api: 'compute', method: 'GET', path: `${C}/qemu/img-binaries`, status: 200, section: '§3.2', shape: 'array', fields: ['path', 'version'] },
  { api: 'compute', method: 'GET', path: `${C}/qemu/capabilities`, status: 200, section: '§3.2', fields: ['kvm'] },
  { api: 'compute', method: 'POST', path: `${C}/qemu/img`, status: 201, section: '§3.2', probeOnly: 'creates disk images on the host' },
  { api: 'compute', method: 'PUT', path: `${C}/qemu/img`, status: 201, section: '§3.2', probeOnly: 'resizes disk images on the host' },
  { api: 'compute', method: 'POST', path: `${C}/qemu/images/{filename}`, status: 204, section: '§3.2', body: 'not really a disk image', shape: 'empty' },
  { api: 'compute', method: 'GET', path: `${C}/qemu/images`, status: 200, section: '§3.2', shape: 'array', fields: ['filename', 'path', 'md5sum', 'filesize'] },
  { api: 'compute', method: 'GET', path: `${C}/qemu/images/{filename}`, status: 200, section: '§3.2', shape: 'raw' },
  // §3.3 hub, §3.4 switch, §3.5 cloud, §3.6 NAT
  ...nodeRoutes('ethernet_hub', '§3.3', {
    create: { name: 'Hub-C' }, fields: ['name', 'node_id', 'project_id', 'ports_mapping'], defaults: { status: 'started' },
    startStatus: 204, update: { name: 'Hub-D' }, duplicate: true,
  }),
  ...nodeRoutes('ethernet_switch', '§3.4', {
    create: { name: 'Switch-C' }, fields: ['name', 'node_id', 'project_id', 'console', 'console_type', 'ports_mapping'],
    defaults: { console_type: 'none', status: 'started' }, startStatus: 204, update: { name: 'Switch-D' }, duplicate: true,
  }),
  ...nodeRoutes('cloud', '§3.5', {
    create: { name: 'Cloud-C', ports_mapping: [{ name: 'UDP tunnel 1', port_number: 0, type: 'udp', lport: 0, rhost: '127.0.0.1', rport: 0 }] },
    fields: ['name', 'node_id', 'project_id', 'ports_mapping', 'remote_console_host', 'remote_console_port', 'remote_console_type', 'remote_console_http_path', 'status'],
    defaults: { remote_console_host: '', remote_console_port: 23, remote_console_type: 'none', remote_console_http_path: '/', status: 'started' },
    startStatus: 204, update: { name: 'Cloud-D' }, nioPut: true,
  }),
  ...nodeRoutes('nat', '§3.6', {
    // Without virbr0 the agent makes its own NAT network (the test daemon's per-slot bridge and subnet).
    create: { name: 'NAT-C' }, fields: ['name', 'node_id', 'project_id', 'ports_mapping', 'status'], defaults: { status: 'started' },
    startStatus: 204, update: { name: 'NAT-D' }, nioPut: true,
  }),
  // Dynamips routers, Frame Relay and ATM switches: not in the spec's tables; rows from gns3-server 2.2's handlers
  // (dynamips_vm_handler.py, frame_relay_switch_handler.py, atm_switch_handler.py). Routers boot patchbay's test image.
  ...nodeRoutes('frame_relay_switch', 'gns3-server 2.2', {
    create: { name: 'FRSW-C', mappings: { '1:101': '2:202' } }, fields: ['name', 'node_id', 'project_id', 'mappings', 'status'],
    defaults: { status: 'started' }, startStatus: 204, update: { name: 'FRSW-D' }, duplicate: true,
  }),
  ...nodeRoutes('atm_switch', 'gns3-server 2.2', {
    create: { name: 'ATMSW-C', mappings: { '1:1:100': '2:2:200' } }, fields: ['name', 'node_id', 'project_id', 'mappings', 'status'],
    defaults: { status: 'started' }, startStatus: 204, update: { name: 'ATMSW-D' }, duplicate: true,
  }),
  ...nodeRoutes('dynamips', 'gns3-server 2.2', {
    create: { name: 'R-C', platform: 'c3725', image: 'mips-test.image', ram: 32 }, fields: DYNAMIPS_FIELDS,
    defaults: { status: 'stopped', console_type: 'telnet', platform: 'c3725', nvram: 112, disk0: 16, idlemax: 500, idlesleep: 30, exec_area: 64, mmap: true, sparsemem: true, iomem: 5, slot0: 'GT96100-FE', aux: null },
    startStatus: 204, update: { name: 'R-D', slot1: 'NM-4T' }, nioPut: true, duplicate: true, reload: true, console: true, resume: true,
  }),
  // Sampling takes 10–30 s per call, so these two are probed on the deleted router; test/dynamips checks their answers.
  { api: 'compute', method: 'GET', path: `${C}/projects/{project_id}/dynamips/nodes/{node_id}/idlepc_proposals`, status: 200, section: 'gns3-server 2.2', role: 'victim', probeOnly: IDLE_PC },
  { api: 'compute', method: 'GET', path: `${C}/projects/{project_id}/dynamips/nodes/{node_id}/auto_idlepc`, status: 200, section: 'gns3-server 2.2', role: 'victim', probeOnly: IDLE_PC },
  { api: 'compute', method: 'POST', path: `${C}/dynamips/images/{filename}`, status: 204, section: 'gns3-server 2.2', body: 'not an IOS image', shape: 'empty' },
  { api: 'compute', method: 'GET', path: `${C}/dynamips/images`, status: 200, section: 'gns3-server 2.2', shape: 'array', fields: ['filename', 'path', 'md5sum', 'filesize'] },
  { api: 'compute', method: 'GET', path: `${C}/dynamips/images/{filename}`, status: 200, section: 'gns3-server 2.2', shape: 'raw' },
  // Project teardown (§2.2), last.
  { api: 'compute', method: 'POST', path: `${C}/projects/{project_id}/close`, status: 204, section: '§2.2', shape: 'empty', role: 'dest' },
  { api: 'compute', method: 'DELETE', path: `${C}/projects/{project_id}`, status: 204, section: '§2.2', shape: 'empty', role: 'victim' },
];

const P = '/v2/projects/{project_id}';
const PROJECT_FIELDS = ['project_id', 'name', 'path', 'filename', 'status', 'auto_start', 'auto_open', 'auto_close', 'scene_height', 'scene_width', 'zoom', 'show_layers', 'snap_to_grid', 'show_grid', 'grid_size', 'drawing_grid_size', 'show_interface_labels', 'supplier', 'variables'];
const PROJECT_DEFAULTS = { status: 'opened', auto_start: false, auto_open: false, auto_close: true, scene_height: 1000, scene_width: 2000, zoom: 100, show_layers: false, snap_to_grid: false, show_grid: false, grid_size: 75, drawing_grid_size: 25, show_interface_labels: false, supplier: null, variables: null };
const COMPUTE_FIELDS = ['compute_id', 'name', 'protocol', 'host', 'port', 'user', 'connected', 'cpu_usage_percent', 'memory_usage_percent', 'last_error', 'capabilities'];
const NODE_FIELDS = ['compute_id', 'project_id', 'node_id', 'template_id', 'node_type', 'node_directory', 'name', 'console', 'console_host', 'console_type', 'console_auto_start', 'command_line', 'properties', 'status', 'label', 'symbol', 'width', 'height', 'x', 'y', 'z', 'locked', 'port_name_format', 'port_segment_size', 'first_port_name', 'custom_adapters', 'ports'];
const NODE_DEFAULTS = { status: 'stopped', x: 0, y: 0, z: 1, locked: false, console_auto_start: false, port_name_format: 'Ethernet{0}', port_segment_size: 0, first_port_name: null, custom_adapters: [], symbol: ':/symbols/computer.svg', template_id: null, properties: {} };
const LINK_FIELDS = ['link_id', 'project_id', 'nodes', 'capturing', 'capture_file_name', 'capture_file_path', 'capture_compute_id', 'link_type', 'filters', 'link_style', 'suspend'];
const DRAWING_FIELDS = ['drawing_id', 'project_id', 'x', 'y', 'z', 'locked', 'rotation', 'svg'];
const TEMPLATE_FIELDS = ['template_id', 'template_type', 'name', 'compute_id', 'default_name_format', 'symbol', 'category', 'builtin'];
const VPCS_NODE = { name: 'Conf', node_type: 'vpcs', compute_id: 'local' };

export const CONTROLLER_ROUTES: RouteSpec[] = [
  // §1.5 server
  { api: 'controller', method: 'GET', path: '/v2/version', status: 200, section: '§1.5', fields: ['version', 'local'] },
  { api: 'controller', method: 'POST', path: '/v2/version', status: 200, section: '§1.5', body: { version: '{version}' }, fields: ['version'] },
  { api: 'controller', method: 'POST', path: '/v2/reload', status: 200, section: '§1.5' },
  { api: 'controller', method: 'GET', path: '/v2/iou_license', status: 200, section: '§1.5', fields: ['iourc_content', 'license_check'], defaults: { iourc_content: '', license_check: true } },
  { api: 'controller', method: 'PUT', path: '/v2/iou_license', status: 201, section: '§1.5', body: { iourc_content: '', license_check: true }, fields: ['iourc_content', 'license_check'] },
  { api: 'controller', method: 'GET', path: '/v2/statistics', status: 200, section: '§1.5', shape: 'array', fields: ['compute_id', 'compute_name', 'statistics'] },
  { api: 'controller', method: 'POST', path: '/v2/debug', status: 201, section: '§1.5', probeOnly: '403 unless the server is local', optional: 'safe to stub' },
  // §2.1 computes
  { api: 'controller', method: 'GET', path: '/v2/computes', status: 200, section: '§2.1', shape: 'array', fields: COMPUTE_FIELDS },
  { api: 'controller', method: 'POST', path: '/v2/computes', status: 201, section: '§2.1', body: { protocol: 'http', host: '127.0.0.1', port: 9, compute_id: '{extra_compute_id}' }, fields: COMPUTE_FIELDS, defaults: { connected: false, name: 'http://127.0.0.1:9' } },
  { api: 'controller', method: 'GET', path: '/v2/computes/{compute_id}', status: 200, section: '§2.1', fields: COMPUTE_FIELDS, defaults: { compute_id: 'local', connected: true } },
  { api: 'controller', method: 'PUT', path: '/v2/computes/{compute_id}', status: 200, section: '§2.1', role: 'victim', body: { name: 'renamed' }, fields: COMPUTE_FIELDS },
  { api: 'controller', method: 'GET', path: '/v2/computes/{compute_id}/{emulator}/images', status: 200, section: '§2.1', shape: 'array' },
  { api: 'controller', method: 'GET', path: '/v2/computes/{compute_id}/{emulator}/{action}', status: 200, section: '§2.1', shape: 'array' },
  { api: 'controller', method: 'GET', path: '/v2/computes/endpoint/{compute_id}/{emulator}/{action}', status: 200, section: '§2.1', fields: ['endpoint'] },
  { api: 'controller', method: 'POST', path: '/v2/computes/{compute_id}/auto_idlepc', status: 200, section: '§2.1', probeOnly: 'boots a router for 30 s: probed without a body (400); test/dynamips/controller.test.ts checks it' },
  { api: 'controller', method: 'GET', path: '/v2/computes/{compute_id}/ports', status: 200, section: '§2.1', fields: ['console_port_range', 'console_ports', 'udp_port_range', 'udp_ports'] },
  { api: 'controller', method: 'DELETE', path: '/v2/computes/{compute_id}', status: 204, section: '§2.1', shape: 'empty', role: 'victim' },
  // §2.2 projects
  { api: 'controller', method: 'GET', path: '/v2/projects', status: 200, section: '§2.2', shape: 'array', fields: PROJECT_FIELDS },
  { api: 'controller', method: 'POST', path: '/v2/projects', status: 201, section: '§2.2', body: { name: 'conformance-extra' }, fields: PROJECT_FIELDS, defaults: { ...PROJECT_DEFAULTS, filename: 'conformance-extra.gns3' } },
  { api: 'controller', method: 'GET', path: P, status: 200, section: '§2.2', fields: PROJECT_FIELDS },
  { api: 'controller', method: 'PUT', path: P, status: 200, section: '§2.2', body: { scene_width: 2100 }, fields: PROJECT_FIELDS, defaults: { scene_width: 2100 } },
  { api: 'controller', method: 'GET', path: `${P}/stats`, status: 200, section: '§2.2', fields: ['nodes', 'links', 'drawings', 'snapshots'] },
  { api: 'controller', method: 'POST', path: `${P}/open`, status: 201, section: '§2.2', fields: PROJECT_FIELDS, defaults: { status: 'opened' } },
  { api: 'controller', method: 'POST', path: '/v2/projects/load', status: 201, section: '§2.2', probeOnly: '403 unless the server is local' },
  { api: 'controller', method: 'GET', path: `${P}/notifications`, status: 200, section: '§3.1', probeOnly: 'never-ending stream' },
  { api: 'controller', method: 'GET', path: `${P}/notifications/ws`, status: 101, section: '§3.1', probeOnly: 'websocket upgrade' },
  { api: 'controller', method: 'POST', path: `${P}/files/{path}`, status: 201, section: '§2.2', body: 'conformance\n', shape: 'raw' },
  { api: 'controller', method: 'GET', path: `${P}/files/{path}`, status: 200, section: '§2.2', shape: 'raw' },
  // §2.3 nodes
  { api: 'controller', method: 'POST', path: `${P}/nodes`, status: 201, section: '§2.3', body: VPCS_NODE, fields: NODE_FIELDS, defaults: { ...NODE_DEFAULTS, node_type: 'vpcs', name: 'Conf', console_type: 'telnet', command_line: '' } },
  { api: 'controller', method: 'GET', path: `${P}/nodes`, status: 200, section: '§2.3', shape: 'array', fields: NODE_FIELDS },
  { api: 'controller', method: 'GET', path: `${P}/nodes/{node_id}`, status: 200, section: '§2.3', fields: NODE_FIELDS },
  { api: 'controller', method: 'PUT', path: `${P}/nodes/{node_id}`, status: 200, section: '§2.3', body: { x: 10, y: 20 }, fields: NODE_FIELDS, defaults: { x: 10, y: 20 } },
  { api: 'controller', method: 'GET', path: `${P}/nodes/{node_id}/links`, status: 200, section: '§2.3', shape: 'array' },
  { api: 'controller', method: 'POST', path: `${P}/nodes/{node_id}/files/{path}`, status: 201, section: '§2.3', body: 'set pcname Conf\n', shape: 'raw' },
  { api: 'controller', method: 'GET', path: `${P}/nodes/{node_id}/files/{path}`, status: 200, section: '§2.3', shape: 'raw' },
  { api: 'controller', method: 'POST', path: `${P}/nodes/{node_id}/start`, status: 200, section: '§2.3', fields: NODE_FIELDS },
  { api: 'controller', method: 'POST', path: `${P}/nodes/{node_id}/suspend`, status: 200, section: '§2.3', fields: NODE_FIELDS },
  { api: 'controller', method: 'POST', path: `${P}/nodes/{node_id}/reload`, status: 200, section: '§2.3', fields: NODE_FIELDS },
  { api: 'controller', method: 'POST', path: `${P}/nodes/{node_id}/console/reset`, status: 204, section: '§2.3', shape: 'empty' },
  { api: 'controller', method: 'GET', path: `${P}/nodes/{node_id}/console/ws`, status: 101, section: '§2.3', probeOnly: 'websocket upgrade' },
  { api: 'controller', method: 'POST', path: `${P}/nodes/{node_id}/stop`, status: 200, section: '§2.3', fields: NODE_FIELDS },
  { api: 'controller', method: 'POST', path: `${P}/nodes/{node_id}/duplicate`, status: 201, section: '§2.3', body: { x: 5, y: 5 }, fields: NODE_FIELDS, defaults: { z: 0, locked: false } },
  { api: 'controller', method: 'GET', path: `${P}/nodes/{node_id}/dynamips/auto_idlepc`, status: 200, section: '§2.3', probeOnly: 'a VPCS fixture: answered 400 (not a router); test/dynamips/controller.test.ts checks a router' },
  { api: 'controller', method: 'GET', path: `${P}/nodes/{node_id}/dynamips/idlepc_proposals`, status: 200, section: '§2.3', probeOnly: 'a VPCS fixture: answered 400 (not a router); test/dynamips/controller.test.ts checks a router' },
  { api: 'controller', method: 'POST', path: `${P}/nodes/{node_id}/resize_disk`, status: 201, section: '§2.3', probeOnly: 'needs a QEMU disk' },
  { api: 'controller', method: 'POST', path: `${P}/nodes/start`, status: 204, section: '§2.3', shape: 'empty' },
  { api: 'controller', method: 'POST', path: `${P}/nodes/suspend`, status: 204, section: '§2.3', shape: 'empty' },
  { api: 'controller', method: 'POST', path: `${P}/nodes/reload`, status: 204, section: '§2.3', shape: 'empty' },
  { api: 'controller', method: 'POST', path: `${P}/nodes/console/reset`, status: 204, section: '§2.3', shape: 'empty' },
  { api: 'controller', method: 'DELETE', path: `${P}/nodes/{node_id}`, status: 204, section: '§2.3', shape: 'empty', role: 'victim' },
  // §2.4 links
  {
    api: 'controller', method: 'POST', path: `${P}/links`, status: 201, section: '§2.4',
    body: { nodes: [{ node_id: '{link_a}', adapter_number: 0, port_number: 0 }, { node_id: '{link_b}', adapter_number: 0, port_number: 0 }] },
    fields: LINK_FIELDS, defaults: { capturing: false, capture_file_name: null, capture_file_path: null, capture_compute_id: null, link_type: 'ethernet', filters: {}, link_style: {}, suspend: false },
  },
  { api: 'controller', method: 'GET', path: `${P}/links`, status: 200, section: '§2.4', shape: 'array', fields: LINK_FIELDS },
  { api: 'controller', method: 'GET', path: `${P}/links/{link_id}`, status: 200, section: '§2.4', fields: LINK_FIELDS },
  { api: 'controller', method: 'PUT', path: `${P}/links/{link_id}`, status: 201, section: '§2.4', body: { filters: { packet_loss: [5] } }, fields: LINK_FIELDS, defaults: { filters: { packet_loss: [5] } } },
  { api: 'controller', method: 'GET', path: `${P}/links/{link_id}/available_filters`, status: 200, section: '§2.4', shape: 'array', fields: ['type', 'name', 'description', 'parameters'] },
  { api: 'controller', method: 'POST', path: `${P}/links/{link_id}/start_capture`, status: 201, section: '§2.4', body: {}, fields: LINK_FIELDS, defaults: { capturing: true, capture_compute_id: 'local' } },
  { api: 'controller', method: 'GET', path: `${P}/links/{link_id}/pcap`, status: 200, section: '§2.4', probeOnly: 'streams until the capture stops' },
  { api: 'controller', method: 'POST', path: `${P}/links/{link_id}/stop_capture`, status: 201, section: '§2.4', fields: LINK_FIELDS, defaults: { capturing: false, capture_compute_id: null } },
  { api: 'controller', method: 'POST', path: `${P}/nodes/stop`, status: 204, section: '§2.3', shape: 'empty' },
  { api: 'controller', method: 'DELETE', path: `${P}/links/{link_id}`, status: 204, section: '§2.4', shape: 'empty' },
  // §2.5 drawings
  { api: 'controller', method: 'POST', path: `${P}/drawings`, status: 201, section: '§2.5', body: {}, fields: DRAWING_FIELDS, defaults: { x: 0, y: 0, z: 2, locked: false, rotation: 0, svg: '<svg></svg>' } },
  { api: 'controller', method: 'GET', path: `${P}/drawings`, status: 200, section: '§2.5', shape: 'array', fields: DRAWING_FIELDS },
  { api: 'controller', method: 'GET', path: `${P}/drawings/{drawing_id}`, status: 200, section: '§2.5', fields: DRAWING_FIELDS },
  { api: 'controller', method: 'PUT', path: `${P}/drawings/{drawing_id}`, status: 201, section: '§2.5', body: { x: 7 }, fields: DRAWING_FIELDS, defaults: { x: 7 } },
  { api: 'controller', method: 'DELETE', path: `${P}/drawings/{drawing_id}`, status: 204, section: '§2.5', shape: 'empty' },
  // §2.6 snapshots
  { api: 'controller', method: 'POST', path: `${P}/snapshots`, status: 201, section: '§2.6', body: { name: 'conformance-snap' }, fields: ['snapshot_id', 'project_id', 'name', 'created_at'] },
  { api: 'controller', method: 'GET', path: `${P}/snapshots`, status: 200, section: '§2.6', shape: 'array', fields: ['snapshot_id', 'project_id', 'name', 'created_at'] },
  { api: 'controller', method: 'POST', path: `${P}/snapshots/{snapshot_id}/restore`, status: 201, section: '§2.6', fields: PROJECT_FIELDS, defaults: { status: 'opened' } },
  { api: 'controller', method: 'DELETE', path: `${P}/snapshots/{snapshot_id}`, status: 204, section: '§2.6', shape: 'empty' },
  // §2.2 export/import/duplicate (after the topology exists)
  { api: 'controller', method: 'GET', path: `${P}/export`, status: 200, section: '§2.2', shape: 'raw' },
  { api: 'controller', method: 'POST', path: `${P}/import`, status: 201, section: '§2.2', role: 'dest', body: '{export}', shape: 'object', fields: PROJECT_FIELDS, defaults: { status: 'closed' } },
  { api: 'controller', method: 'POST', path: `${P}/duplicate`, status: 201, section: '§2.2', body: { name: 'conformance-copy' }, fields: PROJECT_FIELDS, defaults: { status: 'closed', filename: 'conformance-copy.gns3' } },
  // §2.7 templates
  { api: 'controller', method: 'GET', path: '/v2/templates', status: 200, section: '§2.7', shape: 'array', fields: TEMPLATE_FIELDS },
  {
    api: 'controller', method: 'POST', path: '/v2/templates', status: 201, section: '§2.7', body: { name: 'MyVPCS', template_type: 'vpcs', compute_id: 'local' }, fields: TEMPLATE_FIELDS,
    defaults: { base_script_file: 'vpcs_base_config.txt', builtin: false, category: 'guest', console_auto_start: false, console_type: 'telnet', default_name_format: 'PC{0}', symbol: ':/symbols/vpcs_guest.svg' },
  },
  { api: 'controller', method: 'GET', path: '/v2/templates/{template_id}', status: 200, section: '§2.7', fields: TEMPLATE_FIELDS },
  { api: 'controller', method: 'PUT', path: '/v2/templates/{template_id}', status: 200, section: '§2.7', body: { name: 'MyVPCS2' }, fields: TEMPLATE_FIELDS, defaults: { name: 'MyVPCS2' } },
  { api: 'controller', method: 'POST', path: '/v2/templates/{template_id}/duplicate', status: 201, section: '§2.7', fields: TEMPLATE_FIELDS },
  { api: 'controller', method: 'POST', path: `${P}/templates/{template_id}`, status: 201, section: '§2.7', body: { x: 1, y: 2, compute_id: 'local' }, fields: NODE_FIELDS, defaults: { x: 1, y: 2 } },
  { api: 'controller', method: 'DELETE', path: '/v2/templates/{template_id}', status: 204, section: '§2.7', shape: 'empty', role: 'victim' },
  // §2.8 appliances, §2.9 symbols, §2.10 GNS3 VM
  { api: 'controller', method: 'GET', path: '/v2/appliances', status: 200, section: '§2.8', shape: 'array', optional: 'safe stub ([])' },
  { api: 'controller', method: 'GET', path: '/v2/symbols', status: 200, section: '§2.9', shape: 'array', fields: ['symbol_id', 'filename', 'theme', 'builtin'] },
  { api: 'controller', method: 'GET', path: '/v2/symbols/{symbol_id}/raw', status: 200, section: '§2.9', shape: 'raw' },
  { api: 'controller', method: 'POST', path: '/v2/symbols/{symbol_id}/raw', status: 204, section: '§2.9', role: 'dest', body: '<svg width="10" height="10"></svg>', shape: 'empty' },
  { api: 'controller', method: 'GET', path: '/v2/symbols/{symbol_id}/dimensions', status: 200, section: '§2.9', fields: ['width', 'height'] },
  { api: 'controller', method: 'GET', path: '/v2/default_symbols', status: 200, section: '§2.9', fields: ['Classic'] },
  { api: 'controller', method: 'GET', path: '/v2/gns3vm/engines', status: 200, section: '§2.10', shape: 'array', fields: ['engine_id', 'name', 'description', 'support_when_exit', 'support_headless', 'support_ram'] },
  { api: 'controller', method: 'GET', path: '/v2/gns3vm/engines/{engine}/vms', status: 200, section: '§2.10', shape: 'array' },
  { api: 'controller', method: 'GET', path: '/v2/gns3vm', status: 200, section: '§2.10', fields: ['enable', 'engine', 'vmname', 'when_exit', 'headless', 'allocate_vcpus_ram', 'vcpus', 'ram', 'port'], defaults: { enable: false } },
  { api: 'controller', method: 'PUT', path: '/v2/gns3vm', status: 201, section: '§2.10', body: { enable: false }, fields: ['enable'] },
  // §3.1 controller streams
  { api: 'controller', method: 'GET', path: '/v2/notifications', status: 200, section: '§3.1', probeOnly: 'never-ending stream' },
  { api: 'controller', method: 'GET', path: '/v2/notifications/ws', status: 101, section: '§3.1', probeOnly: 'websocket upgrade' },
  // Teardown, last.
  { api: 'controller', method: 'POST', path: `${P}/close`, status: 204, section: '§2.2', shape: 'empty', role: 'victim' },
  { api: 'controller', method: 'DELETE', path: P, status: 204, section: '§2.2', shape: 'empty', role: 'victim' },
  // Probed last: an implementation that honours it stops the daemon.
  { api: 'controller', method: 'POST', path: '/v2/shutdown', status: 201, section: '§1.5', probeOnly: 'would stop the daemon (403 unless local)' },
];

export const ALL_ROUTES: RouteSpec[] = [...COMPUTE_ROUTES, ...CONTROLLER_ROUTES];

export const routeKey = (r: Pick<RouteSpec, 'method' | 'path'>) => `${r.method} ${r.path}`;
