/**
 * The GNS3 3.0 routes patchbay serves, transcribed by hand from ../shared/spec/v3-api.md (§2 controller, §3.1
 * compute; compute node routes for VPCS): verb, path, success status, required keys. Walked in order by
 * walker-v3.ts (creates before uses, deletes last; `victim` rows delete objects made for that purpose).
 */
import type { RouteSpec } from './routes.ts';

const C = '/v3/compute';
const P = '/v3/projects/{project_id}';
const VN = `${C}/projects/{project_id}/vpcs/nodes/{node_id}`;
const USER = ['username', 'is_active', 'email', 'full_name', 'created_at', 'updated_at', 'user_id', 'last_login', 'is_superadmin'];
const NODE = ['compute_id', 'node_id', 'name', 'node_type', 'status', 'console', 'console_type', 'aux', 'aux_type', 'properties', 'ports'];
const LINK = ['link_id', 'project_id', 'nodes', 'capturing', 'filters', 'link_style', 'suspend'];
const PROJECT = ['name', 'project_id', 'path', 'auto_close', 'auto_open', 'auto_start', 'status', 'filename'];
const COMPUTE_ROW = ['protocol', 'host', 'port', 'user', 'password', 'name', 'created_at', 'updated_at', 'compute_id'];
const NIO = { type: 'nio_udp', lport: 0, rhost: '127.0.0.1', rport: 0 };


type Extra = Partial<Omit<RouteSpec, 'method' | 'path' | 'status' | 'section'>>;
const controller = (method: RouteSpec['method'], path: string, status: number, section: string, extra: Extra = {}): RouteSpec =>
  ({ api: 'controller', method, path, status, section, ...extra });
const compute = (method: RouteSpec['method'], path: string, status: number, section: string, extra: Extra = {}): RouteSpec =>
  ({ api: 'compute', method, path, status, section, ...extra });

export const V3_ROUTES: RouteSpec[] = [
  // ---- compute (§3.1), Basic auth ----
  compute('GET', `${C}/version`, 200, '3.1', { fields: ['version'] }),
  compute('GET', `${C}/capabilities`, 200, '3.1', { fields: ['version', 'node_types', 'platform', 'cpus', 'memory', 'disk_size'] }),
  compute('GET', `${C}/statistics`, 200, '3.1', { fields: ['memory_total', 'cpu_usage_percent', 'disk_usage_percent'] }),
  compute('GET', `${C}/network/interfaces`, 200, '3.1', { shape: 'array' }),
  compute('GET', `${C}/network/ports`, 200, '3.1', { fields: ['console_port_range', 'udp_port_range'] }),
  compute('GET', `${C}/qemu/capabilities`, 200, '3.1', { fields: ['kvm'] }),
  compute('GET', `${C}/qemu/images`, 200, '3.1', { shape: 'array' }),
  compute('GET', `${C}/notifications/ws`, 101, '3.1', { probeOnly: 'websocket' }),
  compute('POST', `${C}/projects`, 201, '3.1', { body: { name: 'conformance-v3' }, fields: ['name', 'project_id'] }),
  compute('GET', `${C}/projects`, 200, '3.1', { shape: 'array' }),
  compute('GET', `${C}/projects/{project_id}`, 200, '3.1', { fields: ['name', 'project_id'] }),
  compute('PUT', `${C}/projects/{project_id}`, 200, '3.1', { body: { variables: [] }, fields: ['project_id'] }),
  compute('POST', `${C}/projects/{project_id}/ports/udp`, 201, '3.1', { body: {}, fields: ['udp_port'] }),
  compute('GET', `${C}/projects/{project_id}/files`, 200, '3.1', { shape: 'array' }),
  compute('POST', `${C}/projects/{project_id}/files/conformance.txt`, 204, '3.1', { body: 'hello', shape: 'empty' }),
  compute('GET', `${C}/projects/{project_id}/files/conformance.txt`, 200, '3.1', { shape: 'raw' }),
  compute('POST', `${C}/projects/{project_id}/vpcs/nodes`, 201, '3.1', { body: { name: 'v3-conformance', unknown_key: 1 }, fields: ['name', 'node_id', 'console', 'status'] }),
  compute('GET', VN, 200, '3.1', { fields: ['name', 'node_id', 'status', 'console'] }),
  compute('PUT', VN, 200, '3.1', { body: { name: 'v3-renamed' }, fields: ['name'] }),
  compute('POST', `${VN}/adapters/0/ports/0/nio`, 201, '3.1', { body: NIO, fields: ['type', 'lport', 'rhost', 'rport'] }),
  compute('POST', `${VN}/start`, 204, '3.1', { shape: 'empty' }),
  compute('POST', `${VN}/adapters/0/ports/0/capture/start`, 200, '3.1', { body: { capture_file_name: 'v3.pcap' }, fields: ['pcap_file_path'] }),
  compute('GET', `${VN}/adapters/0/ports/0/capture/stream`, 200, '3.1', { probeOnly: 'pcap streams until the capture stops' }),
  compute('POST', `${VN}/adapters/0/ports/0/capture/stop`, 204, '3.1', { shape: 'empty' }),
  compute('GET', `${VN}/console/ws`, 101, '3.1', { probeOnly: 'websocket' }),
  compute('POST', `${VN}/console/reset`, 204, '3.1', { shape: 'empty' }),
  compute('POST', `${VN}/reload`, 204, '3.1', { shape: 'empty' }),
  compute('POST', `${VN}/stop`, 204, '3.1', { shape: 'empty' }),
  compute('DELETE', `${VN}/adapters/0/ports/0/nio`, 204, '3.1', { shape: 'empty' }),
  compute('DELETE', VN, 204, '3.1', { shape: 'empty' }),
  compute('DELETE', `${C}/projects/{project_id}`, 204, '3.1', { shape: 'empty' }),

  // ---- controller: version, login, current user (§1.3, §2.1.1) ----
  controller('GET', '/v3/version', 200, '1.3', { fields: ['controller_host', 'version', 'local'] }),
  controller('POST', '/v3/version', 200, '1.3', { body: { version: '{version}' }, fields: ['version'] }),
  controller('POST', '/v3/access/users/authenticate', 200, '2.1.1', { body: { username: 'admin', password: 'admin' }, fields: ['access_token', 'token_type'] }),
  controller('GET', '/v3/access/users/me', 200, '2.1.1', { fields: USER }),
  controller('PUT', '/v3/access/users/me', 200, '2.1.1', { body: { full_name: 'Super Administrator' }, fields: USER }),
  // ---- users, groups, roles, privileges, ACL (§2.1.2, §2.1.4) ----
  controller('GET', '/v3/access/users', 200, '2.1.2', { shape: 'array', fields: USER }),
  controller('POST', '/v3/access/users', 201, '2.1.2', { body: { username: 'conformance', password: 'password1' }, fields: USER }),
  controller('GET', '/v3/access/users/{user_id}', 200, '2.1.2', { fields: USER }),
  controller('PUT', '/v3/access/users/{user_id}', 200, '2.1.2', { body: { full_name: 'C' }, fields: USER }),
  controller('GET', '/v3/access/users/{user_id}/groups', 200, '2.1.2', { shape: 'array' }),
  controller('GET', '/v3/access/groups', 200, '2.1.2', { shape: 'array', fields: ['name', 'user_group_id', 'is_builtin'] }),
  controller('POST', '/v3/access/groups', 201, '2.1.2', { body: { name: 'conformance' }, fields: ['name', 'user_group_id', 'is_builtin'] }),
  controller('GET', '/v3/access/groups/{group_id}', 200, '2.1.2', { fields: ['name', 'user_group_id'] }),
  controller('PUT', '/v3/access/groups/{group_id}', 200, '2.1.2', { body: { name: 'conformance2' }, fields: ['name'] }),
  controller('PUT', '/v3/access/groups/{group_id}/members/{user_id}', 204, '2.1.2', { shape: 'empty' }),
  controller('GET', '/v3/access/groups/{group_id}/members', 200, '2.1.2', { shape: 'array', fields: USER }),
  controller('DELETE', '/v3/access/groups/{group_id}/members/{user_id}', 204, '2.1.2', { shape: 'empty' }),
  controller('GET', '/v3/access/roles', 200, '2.1.2', { shape: 'array', fields: ['name', 'description', 'role_id', 'is_builtin', 'privileges'] }),
  controller('POST', '/v3/access/roles', 201, '2.1.2', { body: { name: 'conformance' }, fields: ['name', 'role_id', 'privileges'] }),
  controller('GET', '/v3/access/roles/{role_id}', 200, '2.1.2', { fields: ['name', 'role_id'] }),
  controller('PUT', '/v3/access/roles/{role_id}', 200, '2.1.2', { body: { description: 'c' }, fields: ['description'] }),
  controller('PUT', '/v3/access/roles/{role_id}/privileges/{privilege_id}', 204, '2.1.2', { shape: 'empty' }),
  controller('GET', '/v3/access/roles/{role_id}/privileges', 200, '2.1.2', { shape: 'array', fields: ['name', 'privilege_id'] }),
  controller('DELETE', '/v3/access/roles/{role_id}/privileges/{privilege_id}', 204, '2.1.2', { shape: 'empty' }),
  controller('GET', '/v3/access/privileges', 200, '2.1.2', { shape: 'array', fields: ['name', 'description', 'privilege_id'] }),
  controller('GET', '/v3/access/acl/endpoints', 201, '2.1.4', { shape: 'array', fields: ['endpoint', 'name', 'endpoint_type'] }),
  controller('POST', '/v3/access/acl', 201, '2.1.4', { body: { ace_type: 'user', user_id: '{user_id}', path: '/projects', role_id: '{role_id}' }, fields: ['ace_id', 'ace_type', 'path', 'propagate', 'allowed', 'role_id'] }),
  controller('GET', '/v3/access/acl', 200, '2.1.4', { shape: 'array' }),
  controller('GET', '/v3/access/acl/{ace_id}', 200, '2.1.4', { fields: ['ace_id', 'path'] }),
  controller('PUT', '/v3/access/acl/{ace_id}', 200, '2.1.4', { body: { ace_type: 'user', user_id: '{user_id}', path: '/', role_id: '{role_id}', propagate: false }, fields: ['propagate'] }),
  // ---- pools (§2.2) ----
  controller('GET', '/v3/pools', 200, '2.2', { shape: 'array' }),
  controller('POST', '/v3/pools', 201, '2.2', { body: { name: 'conformance' }, fields: ['name', 'created_at', 'updated_at', 'resource_pool_id'] }),
  controller('GET', '/v3/pools/{pool_id}', 200, '2.2', { fields: ['name', 'resource_pool_id'] }),
  controller('PUT', '/v3/pools/{pool_id}', 200, '2.2', { body: { name: 'conformance2' }, fields: ['name'] }),
  controller('PUT', '/v3/pools/{pool_id}/resources/{project_id}', 204, '2.2', { shape: 'empty' }),
  controller('GET', '/v3/pools/{pool_id}/resources', 200, '2.2', { shape: 'array', fields: ['resource_id', 'resource_type'] }),
  controller('DELETE', '/v3/pools/{pool_id}/resources/{project_id}', 204, '2.2', { shape: 'empty' }),
  // ---- computes (§2.3) ----
  controller('GET', '/v3/computes', 200, '2.3', { shape: 'array' }),
  controller('POST', '/v3/computes', 201, '2.3', { body: { protocol: 'http', host: '127.0.0.1', port: 9, user: 'u', password: 'p' }, fields: [...COMPUTE_ROW, 'connected', 'capabilities'] }),
  controller('GET', '/v3/computes/{compute_id}', 200, '2.3', { fields: COMPUTE_ROW }),
  controller('PUT', '/v3/computes/{compute_id}', 200, '2.3', { body: { name: 'conformance' }, fields: COMPUTE_ROW }),
  controller('GET', '/v3/computes/local/network/interfaces', 200, '2.3', { shape: 'array' }),
  controller('GET', '/v3/computes/local/qemu/images', 200, '2.3', { shape: 'array' }),
  // ---- projects (§2.4) ----
  controller('GET', '/v3/projects', 200, '2.4', { shape: 'array', fields: PROJECT }),
  controller('POST', '/v3/projects', 201, '2.4', { body: { name: 'conformance-v3-extra', unknown_key: 1 }, fields: PROJECT }),
  controller('GET', P, 200, '2.4', { fields: PROJECT }),
  controller('PUT', P, 200, '2.4', { body: { auto_close: false, status: 'ignored', filename: 'ignored' }, fields: PROJECT, defaults: { auto_close: false } }),
  controller('GET', `${P}/stats`, 200, '2.4', { fields: ['nodes', 'links', 'drawings', 'snapshots'] }),
  controller('GET', `${P}/locked`, 200, '2.4', { shape: 'raw' }),
  controller('POST', `${P}/lock`, 204, '2.4', { shape: 'empty' }),
  controller('POST', `${P}/unlock`, 204, '2.4', { shape: 'empty' }),
  controller('POST', `${P}/files/README.txt`, 204, '2.4', { body: 'readme', shape: 'empty' }),
  controller('GET', `${P}/files/README.txt`, 200, '2.4', { shape: 'raw' }),
  controller('GET', `${P}/notifications`, 200, '5.1', { probeOnly: 'stream' }),
  controller('GET', `${P}/notifications/ws`, 101, '5.1', { probeOnly: 'websocket' }),
  controller('GET', '/v3/notifications', 200, '5.1', { probeOnly: 'stream' }),
  controller('GET', '/v3/notifications/ws', 101, '5.1', { probeOnly: 'websocket' }),
  // ---- templates (§2.8) ----
  controller('GET', '/v3/templates', 200, '2.8', { shape: 'array', fields: ['template_id', 'name', 'template_type', 'builtin'] }),
  controller('POST', '/v3/templates', 201, '2.8', { body: { name: 'conformance-vpcs', template_type: 'vpcs', unknown_key: 1 }, fields: ['template_id', 'name', 'template_type'] }),
  controller('GET', '/v3/templates/{template_id}', 200, '2.8', { fields: ['template_id', 'name'] }),
  controller('PUT', '/v3/templates/{template_id}', 200, '2.8', { body: { name: 'conformance-vpcs2' }, fields: ['name'] }),
  controller('POST', '/v3/templates/{template_id}/duplicate', 201, '2.8', { fields: ['template_id'] }),
  // ---- nodes (§2.5) ----
  controller('POST', `${P}/nodes`, 201, '2.5', { body: { name: 'My PC', node_type: 'vpcs', compute_id: 'local', bogus: true }, fields: NODE }),
  controller('POST', `${P}/templates/52136454-1f50-590a-94e4-816bd02d1062`, 201, '2.4', { body: { x: 0, y: 0, compute_id: 'local' }, fields: NODE }),
  controller('GET', `${P}/nodes`, 200, '2.5', { shape: 'array', fields: NODE }),
  controller('GET', `${P}/nodes/{node_id}`, 200, '2.5', { fields: NODE }),
  controller('PUT', `${P}/nodes/{node_id}`, 200, '2.5', { body: { x: 10, status: 'ignored', ports: [] }, fields: ['node_id', 'x'] }),
  controller('POST', `${P}/nodes/{node_id}/duplicate`, 201, '2.5', { body: { x: 5, y: 5 }, fields: NODE }),
  controller('GET', `${P}/nodes/{node_id}/links`, 200, '2.5', { shape: 'array' }),
  // ---- links (§2.6) ----
  controller('POST', `${P}/links`, 201, '2.6', { body: { nodes: [{ node_id: '{node_a}', adapter_number: 0, port_number: 0 }, { node_id: '{node_b}', adapter_number: 0, port_number: 0 }], label: 'ignored' }, fields: LINK }),
  controller('GET', `${P}/links`, 200, '2.6', { shape: 'array', fields: LINK }),
  controller('GET', `${P}/links/{link_id}`, 200, '2.6', { fields: LINK }),
  controller('PUT', `${P}/links/{link_id}`, 200, '2.6', { body: { filters: { delay: ['100', 10], packet_loss: [0] } }, fields: LINK, defaults: { filters: { delay: ['100', 10] } } }),
  controller('GET', `${P}/links/{link_id}/available_filters`, 200, '2.6', { shape: 'array' }),
  controller('POST', `${P}/nodes/start`, 204, '2.5', { shape: 'empty' }),
  controller('POST', `${P}/nodes/{node_a}/start`, 204, '2.5', { body: {}, shape: 'empty' }),
  controller('POST', `${P}/links/{link_id}/capture/start`, 201, '2.6', { body: {}, fields: LINK, defaults: { capturing: true } }),
  controller('GET', `${P}/links/{link_id}/capture/stream`, 200, '2.6', { probeOnly: 'pcap streams until the capture stops' }),
  controller('POST', `${P}/links/{link_id}/capture/stop`, 204, '2.6', { shape: 'empty' }),
  controller('POST', `${P}/links/{link_id}/reset`, 200, '2.6', { fields: LINK }),
  controller('POST', `${P}/nodes/{node_a}/isolate`, 204, '2.5', { shape: 'empty' }),
  controller('POST', `${P}/nodes/{node_a}/unisolate`, 204, '2.5', { shape: 'empty' }),
  controller('GET', `${P}/nodes/{node_a}/console/ws`, 101, '2.5', { probeOnly: 'websocket' }),
  controller('POST', `${P}/nodes/{node_a}/console/reset`, 204, '2.5', { shape: 'empty' }),
  controller('POST', `${P}/nodes/console/reset`, 204, '2.5', { shape: 'empty' }),
  controller('POST', `${P}/nodes/{node_a}/stop`, 204, '2.5', { shape: 'empty' }),
  controller('POST', `${P}/nodes/suspend`, 204, '2.5', { shape: 'empty' }),
  controller('POST', `${P}/nodes/reload`, 204, '2.5', { shape: 'empty' }),
  controller('POST', `${P}/nodes/stop`, 204, '2.5', { shape: 'empty' }),
  controller('POST', `${P}/nodes/{node_a}/files/startup.vpc`, 201, '2.5', { body: 'set pcname PC\n', shape: 'raw' }),
  controller('GET', `${P}/nodes/{node_a}/files/startup.vpc`, 200, '2.5', { shape: 'raw' }),
  // ---- drawings (§2.7) ----
  controller('POST', `${P}/drawings`, 201, '2.7', { body: { svg: '<svg></svg>', x: 1, y: 2, extra: 1 }, fields: ['drawing_id', 'svg', 'x', 'y'] }),
  controller('GET', `${P}/drawings`, 200, '2.7', { shape: 'array' }),
  controller('GET', `${P}/drawings/{drawing_id}`, 200, '2.7', { fields: ['drawing_id'] }),
  controller('PUT', `${P}/drawings/{drawing_id}`, 200, '2.7', { body: { x: 9 }, fields: ['drawing_id', 'x'] }),
  controller('DELETE', `${P}/drawings/{drawing_id}`, 204, '2.7', { shape: 'empty' }),
  // ---- images (§2.9) ----
  controller('POST', '/v3/images/upload/tiny.qcow2', 201, '2.9', { body: 'QFI\u00fbnot really a disk', fields: ['filename', 'path', 'image_type', 'image_size', 'checksum', 'checksum_algorithm'], defaults: { image_type: 'qemu', checksum_algorithm: 'md5' } }),
  controller('GET', '/v3/images', 200, '2.9', { shape: 'array', fields: ['filename', 'image_type', 'checksum'] }),
  controller('GET', '/v3/images/tiny.qcow2', 200, '2.9', { fields: ['filename', 'checksum'] }),
  controller('DELETE', '/v3/images/tiny.qcow2', 204, '2.9', { shape: 'empty' }),
  controller('DELETE', '/v3/images/prune', 204, '2.9', { shape: 'empty' }),
  // ---- archives and snapshots (§2.4, §2.7), with every node stopped ----
  controller('POST', `${P}/snapshots`, 201, '2.7', { body: { name: 'snap1', description: 'ignored' }, fields: ['name', 'snapshot_id', 'project_id', 'created_at'] }),
  controller('GET', `${P}/snapshots`, 200, '2.7', { shape: 'array', fields: ['name', 'snapshot_id', 'project_id', 'created_at'] }),
  controller('GET', `${P}/export?compression=zip`, 200, '2.4', { shape: 'raw' }),
  controller('POST', `${P}/duplicate`, 201, '2.4', { body: { name: 'conformance-copy' }, fields: PROJECT }),
  // ---- symbols, server (§2.10, §2.11) ----
  controller('GET', '/v3/symbols', 200, '2.10', { shape: 'array', fields: ['symbol_id', 'filename', 'theme', 'builtin'] }),
  controller('GET', '/v3/symbols/default_symbols', 200, '2.10'),
  controller('GET', '/v3/symbols/:%2Fsymbols%2Fcomputer.svg/raw', 200, '2.10', { shape: 'raw' }),
  controller('GET', '/v3/symbols/:%2Fsymbols%2Fcomputer.svg/dimensions', 200, '2.10', { fields: ['width', 'height'] }),
  controller('GET', '/v3/appliances', 200, '2.10', { shape: 'array' }),
  controller('GET', '/v3/statistics', 200, '2.11', { shape: 'array' }),
  controller('GET', '/v3/iou_license', 200, '2.11', { fields: ['iourc_content', 'license_check'] }),
  controller('POST', '/v3/reload', 204, '2.11', { shape: 'empty' }),
  controller('POST', '/v3/shutdown', 403, '2.11', { optional: 'non-local server: 403 as 3.0.6 answers' }),
  // ---- routes about what patchbay has no use for, answered as 3.0.6 answers when the feature is unused ----
  controller('PUT', '/v3/iou_license', 201, '2.11', { body: { iourc_content: '', license_check: false, unknown_key: 1 }, fields: ['iourc_content', 'license_check'] }),
  controller('GET', '/v3/gns3vm', 200, '2.11', { fields: ['enable', 'vmname', 'when_exit', 'headless', 'engine', 'allocate_vcpus_ram', 'vcpus', 'ram', 'port'], defaults: { enable: false } }),
  controller('PUT', '/v3/gns3vm', 200, '2.11', { body: { vcpus: 2 }, fields: ['vcpus'], defaults: { vcpus: 2 } }),
  controller('GET', '/v3/gns3vm/engines', 200, '2.11', { shape: 'array', fields: ['engine_id', 'name', 'description'] }),
  controller('GET', '/v3/gns3vm/engines/vmware/vms', 200, '2.11', { shape: 'array' }),
  controller('GET', '/v3/appliances/00000000-0000-4000-8000-000000000000', 404, '2.10', { fields: ['message'] }),
  controller('POST', '/v3/images/install', 204, '2.9', { shape: 'empty' }),
  controller('POST', '/v3/images/qemu/blank.qcow2', 201, '2.9', { body: { format: 'qcow2', size: 1 }, fields: ['filename', 'path', 'image_type', 'checksum'], defaults: { image_type: 'qemu' } }),
  controller('DELETE', '/v3/images/blank.qcow2', 204, '2.9', { shape: 'empty' }),
  controller('GET', `${P}/links/{link_id}/iface`, 409, '2.6', { fields: ['message'] }),
  controller('POST', `${P}/nodes`, 201, '2.5', { body: { name: 'disk-host', node_type: 'qemu', compute_id: 'local' }, fields: NODE }),
  controller('POST', `${P}/nodes/{qemu_node}/qemu/disk_image/hdb.qcow2`, 204, '2.5', { body: { format: 'qcow2', size: 1 }, shape: 'empty' }),
  controller('PUT', `${P}/nodes/{qemu_node}/qemu/disk_image/hdb.qcow2`, 204, '2.5', { body: { extend: 1 }, shape: 'empty' }),
  controller('DELETE', `${P}/nodes/{qemu_node}/qemu/disk_image/hdb.qcow2`, 204, '2.5', { shape: 'empty' }),
  controller('DELETE', `${P}/nodes/{qemu_node}`, 204, '2.5', { shape: 'empty' }),
  // ---- deletes last ----
  controller('DELETE', `${P}/links/{link_id}`, 204, '2.6', { shape: 'empty' }),
  controller('DELETE', `${P}/nodes/{node_b}`, 204, '2.5', { shape: 'empty' }),
  controller('DELETE', '/v3/templates/{template_id}', 204, '2.8', { shape: 'empty' }),
  controller('DELETE', '/v3/access/acl/{ace_id}', 204, '2.1.4', { shape: 'empty' }),
  controller('DELETE', '/v3/pools/{pool_id}', 204, '2.2', { shape: 'empty' }),
  controller('DELETE', '/v3/access/roles/{role_id}', 204, '2.1.2', { shape: 'empty' }),
  controller('DELETE', '/v3/access/groups/{group_id}', 204, '2.1.2', { shape: 'empty' }),
  controller('DELETE', '/v3/access/users/{user_id}', 204, '2.1.2', { shape: 'empty' }),
  controller('DELETE', '/v3/computes/{compute_id}', 204, '2.3', { shape: 'empty' }),
  controller('POST', `${P}/close`, 204, '2.4', { shape: 'empty' }),
  controller('POST', `${P}/open`, 201, '2.4', { fields: PROJECT }),
  controller('DELETE', P, 204, '2.4', { shape: 'empty' }),
];
