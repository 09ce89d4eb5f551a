/**
 * What the API document says about each route: summary, request body schema, answers. Paths and path parameters come
 * from the routes the Hono app really registers (document.ts); this table only adds meaning, keyed by
 * `METHOD /template`. test/api/openapi.test.ts fails when a registered route has no entry here.
 */
import { CaptureStart as ComputeCaptureStart, ComputeProjectCreate, ComputeProjectUpdate, Duplicate, Nio } from '../../compute/schemas.ts';
import {
  AutoIdlePc, CaptureStart, ComputeCreate, ComputeUpdate, DrawingBody, Gns3Vm, IouLicense, LinkCreate, LinkUpdate, NodeCreate,
  NodeDuplicate, NodeUpdate, ProjectCreate, ProjectDuplicate, ProjectLoad, ProjectUpdate, SnapshotCreate,
  TemplateInstance, TemplateUpdate, VersionCheck,
} from '../../controller/schemas.ts';
import { QemuDiskImageCreate, QemuDiskImageUpdate, QemuImageCreate, QemuImageUpdate, QemuResizeDisk } from '../../compute/qemu/schemas.ts';
import { ComputeStatistics } from '../../metrics/host-statistics.ts';
import {
  Capabilities, ComputeNode, ComputeProject, ControllerObject, Empty, NetworkInterface, NetworkPorts, PcapPath,
  ProjectFile, StoredNio, UdpPort, Version,
} from './response-schemas.ts';
import * as s from 'valibot';
import { V3_ROUTE_DOCS } from './catalogue-v3.ts';
import { collection, empty, file, json, list, upgrade, type RouteDoc } from './route-doc.ts';

const C = 'compute';
const node = ComputeNode;
const controllerProject = ControllerObject('A controller project (GNS3 project JSON).', { project_id: s.string(), name: s.string(), status: s.string() });
const controllerNode = ControllerObject('A controller node (GNS3 node JSON, with `properties` per node type).', { node_id: s.string(), name: s.string(), status: s.string() });
const link = ControllerObject('A link (GNS3 link JSON).', { link_id: s.string(), nodes: s.array(s.unknown()) });
const drawing = ControllerObject('A drawing (SVG with position).', { drawing_id: s.string(), svg: s.string() });
const compute = ControllerObject('A compute known to the controller.', { compute_id: s.string(), name: s.string(), connected: s.boolean() });
const template = ControllerObject('A node template.', { template_id: s.string(), name: s.string(), template_type: s.string() });
const snapshot = ControllerObject('A project snapshot.', { snapshot_id: s.string(), name: s.string(), created_at: s.number() });
const anyJson = ControllerObject('JSON object.');

const computeRoutes: Record<string, RouteDoc> = {
  'GET /v2/compute/version': { tag: C, summary: 'Compute version (the controller must report the same)', responses: { 200: json('Version', Version) } },
  'GET /v2/compute/capabilities': { tag: C, summary: 'Node types this compute runs and its platform', responses: { 200: json('Capabilities', Capabilities) } },
  'GET /v2/compute/statistics': { tag: C, summary: 'Host CPU, memory, swap, disk and load figures (GNS3 keys, integers)', responses: { 200: json('Statistics', ComputeStatistics), 409: json('The host figures could not be read') } },
  'GET /v2/compute/network/interfaces': { tag: C, summary: 'Network interfaces of the host', responses: { 200: json('Interfaces', list(NetworkInterface)) } },
  'GET /v2/compute/network/ports': { tag: C, summary: 'Port ranges and every reserved console and UDP port', responses: { 200: json('Ports', NetworkPorts) } },
  'GET /v2/compute/notifications/ws': { tag: C, summary: 'Compute notifications (node.updated, node.deleted, log.*, ping with cpu/memory percent)', responses: upgrade('one JSON text frame per event') },
  ...collection('/v2/compute/projects', 'project_id', { tag: C, names: ['Project', 'Projects'], schema: ComputeProject, bodies: [ComputeProjectCreate, ComputeProjectUpdate], summaries: ['Projects open on this compute', 'Create (or return the existing) project', 'Get a project', 'Update project variables', 'Stop every node of the project and delete its files'] }),
  'GET /v2/compute/debug': { tag: C, summary: 'Free-form text dump of the host and reserved ports, for humans', responses: { 200: file('Text', 'text/plain') } },
  'GET /v2/compute/projects/{project_id}/notifications': { tag: C, summary: 'Legacy project notification stream: one JSON object per line, a ping after 5 s of silence', responses: { 200: file('Newline-delimited JSON', 'application/json') } },
  'POST /v2/compute/projects/{project_id}/commit': { tag: C, summary: 'Commit the project (a no-op on a compute, kept for GNS3 clients)', responses: { 204: empty() } },
  'POST /v2/compute/projects/{project_id}/close': { tag: C, summary: 'Stop every node of the project and free its ports; files stay', responses: { 204: empty() } },
  'POST /v2/compute/projects/{project_id}/ports/udp': { tag: C, summary: 'Reserve a UDP port for a link', responses: { 201: json('The reserved port', UdpPort) } },
  'GET /v2/compute/projects/{project_id}/files': { tag: C, summary: 'List project files with their MD5', responses: { 200: json('Files', list(ProjectFile)) } },
  'GET /v2/compute/projects/{project_id}/files/{path}': { tag: C, summary: 'Download a project file', responses: { 200: file('File content') } },
  'POST /v2/compute/projects/{project_id}/files/{path}': { tag: C, summary: 'Upload a project file (written atomically)', body: 'binary', responses: { 201: empty('Written; empty body.') } },
  'POST /v2/compute/projects/{project_id}/{node_type}/nodes': { tag: C, summary: 'Create a node (idempotent on node_id)', body: 'nodeCreate', responses: { 201: json('Node', node) } },
  'GET /v2/compute/projects/{project_id}/{node_type}/nodes/{node_id}': { tag: C, summary: 'Get a node (Docker nodes answer 405, as GNS3 2.2)', responses: { 200: json('Node', node) } },
  'PUT /v2/compute/projects/{project_id}/{node_type}/nodes/{node_id}': { tag: C, summary: 'Update a node', body: 'nodeUpdate', responses: { 200: json('Node', node) } },
  'DELETE /v2/compute/projects/{project_id}/{node_type}/nodes/{node_id}': { tag: C, summary: 'Stop and delete a node', responses: { 204: empty() } },
  'POST /v2/compute/projects/{project_id}/{node_type}/nodes/{node_id}/duplicate': { tag: C, summary: 'Copy this node\'s files over another node', body: Duplicate, responses: { 201: json('Destination node', node) } },
  'POST /v2/compute/projects/{project_id}/{node_type}/nodes/{node_id}/start': { tag: C, summary: 'Start the emulator (Docker, hub, switch, cloud: 204)', responses: { 200: json('Node', node) } },
  'POST /v2/compute/projects/{project_id}/{node_type}/nodes/{node_id}/stop': { tag: C, summary: 'Stop the emulator', responses: { 204: empty() } },
  'POST /v2/compute/projects/{project_id}/{node_type}/nodes/{node_id}/suspend': { tag: C, summary: 'Suspend the node', responses: { 204: empty() } },
  'POST /v2/compute/projects/{project_id}/{node_type}/nodes/{node_id}/resume': { tag: C, summary: 'Resume a suspended node', responses: { 204: empty() } },
  'POST /v2/compute/projects/{project_id}/{node_type}/nodes/{node_id}/reload': { tag: C, summary: 'Stop then start the node', responses: { 204: empty() } },
  'POST /v2/compute/projects/{project_id}/{node_type}/nodes/{node_id}/pause': { tag: C, summary: 'Docker only: pause the container (same as suspend)', responses: { 204: empty() } },
  'POST /v2/compute/projects/{project_id}/{node_type}/nodes/{node_id}/unpause': { tag: C, summary: 'Docker only: unpause the container (same as resume)', responses: { 204: empty() } },
  'POST /v2/compute/projects/{project_id}/{node_type}/nodes/{node_id}/console/reset': { tag: C, summary: 'Drop console clients and re-open the console', responses: { 204: empty() } },
  'GET /v2/compute/projects/{project_id}/{node_type}/nodes/{node_id}/console/ws': { tag: C, summary: 'Console over WebSocket (not authenticated, as in GNS3)', responses: upgrade('binary frames to and from the telnet console') },
  'POST /v2/compute/projects/{project_id}/{node_type}/nodes/{node_id}/adapters/{adapter_number}/ports/{port_number}/nio': { tag: C, summary: 'Connect a port (NIO)', body: Nio, responses: { 201: json('The NIO', StoredNio) } },
  'PUT /v2/compute/projects/{project_id}/{node_type}/nodes/{node_id}/adapters/{adapter_number}/ports/{port_number}/nio': { tag: C, summary: 'Change a port\'s NIO, filters or suspension (answers 201 with the request, as GNS3)', body: Nio, responses: { 201: json('The request body', StoredNio) } },
  'DELETE /v2/compute/projects/{project_id}/{node_type}/nodes/{node_id}/adapters/{adapter_number}/ports/{port_number}/nio': { tag: C, summary: 'Disconnect a port', responses: { 204: empty() } },
  'POST /v2/compute/projects/{project_id}/{node_type}/nodes/{node_id}/adapters/{adapter_number}/ports/{port_number}/start_capture': { tag: C, summary: 'Start a packet capture on a port', body: ComputeCaptureStart, responses: { 200: json('Capture file', PcapPath) } },
  'POST /v2/compute/projects/{project_id}/{node_type}/nodes/{node_id}/adapters/{adapter_number}/ports/{port_number}/stop_capture': { tag: C, summary: 'Stop the capture', responses: { 204: empty() } },
  'GET /v2/compute/projects/{project_id}/{node_type}/nodes/{node_id}/adapters/{adapter_number}/ports/{port_number}/pcap': { tag: C, summary: 'Stream the capture while it runs', responses: { 200: file('pcap stream', 'application/vnd.tcpdump.pcap') } },
  'GET /v2/compute/docker/images': { tag: C, summary: 'Docker images present on this compute (nothing is pulled)', responses: { 200: json('Images', list(s.object({ image: s.string() }))), 409: json('The Docker daemon cannot be reached') } },
  'GET /v2/compute/qemu/images': { tag: C, summary: 'QEMU images on this compute', responses: { 200: json('Images', list(s.object({ filename: s.string(), path: s.string(), md5sum: s.string(), filesize: s.number() }))) } },
  'POST /v2/compute/qemu/images/{filename}': { tag: C, summary: 'Upload a QEMU image (streamed to disk)', body: 'binary', responses: { 204: empty() } },
  'GET /v2/compute/qemu/images/{filename}': { tag: C, summary: 'Download a QEMU image', responses: { 200: file('Image content') } },
  'GET /v2/compute/dynamips/images': { tag: C, summary: 'IOS images on this compute (`.image`/`.bin` files starting like a 32-bit ELF)', responses: { 200: json('Images', list(s.object({ filename: s.string(), path: s.string(), md5sum: s.string(), filesize: s.number() }))) } },
  'POST /v2/compute/dynamips/images/{filename}': { tag: C, summary: 'Upload an IOS image (streamed to disk)', body: 'binary', responses: { 204: empty() } },
  'GET /v2/compute/dynamips/images/{filename}': { tag: C, summary: 'Download an IOS image', responses: { 200: file('Image content') } },
  'GET /v2/compute/projects/{project_id}/dynamips/nodes/{node_id}/idlepc_proposals': { tag: C, summary: 'Idle-PC proposals Dynamips samples (starts the router for it if stopped, then waits 20 s for it to boot)', responses: { 200: json('Proposal lines such as "0x60606f54 [78]"', list(s.string())) } },
  'GET /v2/compute/projects/{project_id}/dynamips/nodes/{node_id}/auto_idlepc': { tag: C, summary: 'Try each idle-PC proposal for 3 s and keep the first under which the router uses < 70 % of a CPU', responses: { 200: json('The chosen value', s.object({ idlepc: s.string() })), 409: json('No proposal was suitable') } },
  'GET /v2/compute/qemu/binaries': { tag: C, summary: 'qemu-system binaries found on the host', query: { archs: 'comma-separated architectures to keep' }, responses: { 200: json('Binaries', list(s.object({ path: s.string(), version: s.string() }))) } },
  'GET /v2/compute/qemu/img-binaries': { tag: C, summary: 'qemu-img binaries found on the host', responses: { 200: json('Binaries', list(s.object({ path: s.string(), version: s.string() }))) } },
  'GET /v2/compute/qemu/capabilities': { tag: C, summary: 'Guest architectures KVM can accelerate here', responses: { 200: json('Capabilities', s.object({ kvm: s.array(s.string()) })) } },
  'POST /v2/compute/qemu/img': { tag: C, summary: 'Create a blank disk image with qemu-img in the QEMU images folder (size in MB; options the format lacks are dropped)', body: QemuImageCreate, responses: { 201: empty('Created; empty body.'), 403: json('The path leaves the QEMU images folder') } },
  'PUT /v2/compute/qemu/img': { tag: C, summary: 'Extend a disk image of the QEMU images folder by `extend` MB', body: QemuImageUpdate, responses: { 201: empty('Resized; empty body.'), 403: json('The path leaves the QEMU images folder') } },
  'POST /v2/compute/projects/{project_id}/qemu/nodes/{node_id}/disk_image/{disk_name}': { tag: C, summary: 'Create a blank disk in the QEMU node\'s folder (3.0 route, also served here)', body: QemuDiskImageCreate, responses: { 204: empty('Created; empty body.') } },
  'PUT /v2/compute/projects/{project_id}/qemu/nodes/{node_id}/disk_image/{disk_name}': { tag: C, summary: 'Extend a disk of the QEMU node\'s folder by `extend` MB (3.0 route)', body: QemuDiskImageUpdate, responses: { 204: empty('Resized; empty body.') } },
  'DELETE /v2/compute/projects/{project_id}/qemu/nodes/{node_id}/disk_image/{disk_name}': { tag: C, summary: 'Delete a disk of the QEMU node\'s folder (3.0 route)', responses: { 204: empty('Deleted; empty body.') } },
  'POST /v2/compute/projects/{project_id}/qemu/nodes/{node_id}/resize_disk': { tag: C, summary: 'Extend a stopped QEMU node\'s disk (its linked-clone overlay, else the image) by `extend` MB', body: QemuResizeDisk, responses: { 201: empty('Resized; empty body.') } },
};

const P = 'controller: projects';
const N = 'controller: nodes';
const L = 'controller: links';
const S = 'controller: server';
const T = 'controller: templates and symbols';

const controllerRoutes: Record<string, RouteDoc> = {
  'GET /v2/version': { tag: S, summary: 'Controller version', responses: { 200: json('Version', Version) } },
  'POST /v2/version': { tag: S, summary: 'Check a client version against the controller', body: VersionCheck, responses: { 200: json('Version', Version) } },
  'POST /v2/shutdown': { tag: S, summary: 'Shut the server down (local servers only)', responses: { 403: json('Refused on a non-local server') } },
  'POST /v2/reload': { tag: S, summary: 'Reload (no-op)', responses: { 200: json('Empty object', Empty) } },
  'POST /v2/debug': { tag: S, summary: 'Write a debug dump (local servers only)', responses: { 403: json('Refused on a non-local server') } },
  'GET /v2/statistics': { tag: S, summary: 'Statistics of every connected compute', responses: { 200: json('Per compute', list(s.object({ compute_id: s.string(), compute_name: s.string(), statistics: ComputeStatistics }))) } },
  'GET /v2/iou_license': { tag: S, summary: 'IOU licence settings', responses: { 200: json('Licence', IouLicense) } },
  'PUT /v2/iou_license': { tag: S, summary: 'Change IOU licence settings', body: IouLicense, responses: { 201: json('Licence', IouLicense) } },
  'GET /v2/gns3vm': { tag: S, summary: 'GNS3 VM settings', responses: { 200: json('Settings', Gns3Vm) } },
  'PUT /v2/gns3vm': { tag: S, summary: 'Change GNS3 VM settings', body: Gns3Vm, responses: { 201: json('Settings', Gns3Vm) } },
  'GET /v2/gns3vm/engines': { tag: S, summary: 'GNS3 VM engines', responses: { 200: json('Engines', list(anyJson)) } },
  'GET /v2/gns3vm/engines/{engine}/vms': { tag: S, summary: 'VMs of an engine (none here)', responses: { 200: json('VMs', list(anyJson)) } },
  'GET /v2/appliances': { tag: T, summary: 'Appliances (none here)', responses: { 200: json('Appliances', list(anyJson)) } },
  'GET /v2/notifications': { tag: S, summary: 'Controller notifications as a stream of JSON lines', responses: { 200: file('JSON lines', 'application/json') } },
  'GET /v2/notifications/ws': { tag: S, summary: 'Controller notifications over WebSocket', responses: upgrade('one JSON text frame per event') },
  ...collection('/v2/computes', 'compute_id', { tag: S, names: ['Compute', 'Computes'], schema: compute, bodies: [ComputeCreate, ComputeUpdate], summaries: ['Computes', 'Register a compute', 'Get a compute', 'Update a compute', 'Forget a compute'] }),
  'GET /v2/computes/{compute_id}/ports': { tag: S, summary: 'Reserved ports of a compute', responses: { 200: json('Ports', NetworkPorts) } },
  'GET /v2/computes/{compute_id}/{emulator}/images': { tag: S, summary: 'Images of an emulator on a compute', responses: { 200: json('Images', list(anyJson)) } },
  'GET /v2/computes/{compute_id}/{emulator}': { tag: S, summary: 'Forward a GET to the compute\'s emulator API', responses: { 200: json('The compute\'s answer') } },
  'POST /v2/computes/{compute_id}/{emulator}': { tag: S, summary: 'Forward a POST to the compute\'s emulator API', body: 'binary', responses: { 200: json('The compute\'s answer') } },
  'PUT /v2/computes/{compute_id}/{emulator}': { tag: S, summary: 'Forward a PUT to the compute\'s emulator API', body: 'binary', responses: { 200: json('The compute\'s answer') } },
  'GET /v2/computes/{compute_id}/{emulator}/{action}': { tag: S, summary: 'Forward a GET to the compute\'s emulator API', responses: { 200: json('The compute\'s answer') } },
  'POST /v2/computes/{compute_id}/{emulator}/{action}': { tag: S, summary: 'Forward a POST to the compute\'s emulator API', body: 'binary', responses: { 200: json('The compute\'s answer') } },
  'PUT /v2/computes/{compute_id}/{emulator}/{action}': { tag: S, summary: 'Forward a PUT to the compute\'s emulator API', body: 'binary', responses: { 200: json('The compute\'s answer') } },
  'GET /v2/computes/endpoint/{compute_id}/{emulator}/{action}': { tag: S, summary: 'URL of a compute endpoint', responses: { 200: json('Endpoint', s.object({ endpoint: s.string() })) } },
  ...collection('/v2/templates', 'template_id', { tag: T, names: ['Template', 'Templates'], schema: template, bodies: [TemplateUpdate, TemplateUpdate], summaries: ['Templates', 'Create a template', 'Get a template (ETag, 304 on If-None-Match)', 'Update a template', 'Delete a template'] }),
  'GET /v2/templates/{template_id}': { tag: T, summary: 'Get a template (ETag, 304 on If-None-Match)', responses: { 200: json('Template', template), 304: empty('Not modified.') } },
  'POST /v2/templates/{template_id}/duplicate': { tag: T, summary: 'Duplicate a template', responses: { 201: json('Template', template) } },
  'GET /v2/symbols': { tag: T, summary: 'Symbols', responses: { 200: json('Symbols', list(anyJson)) } },
  'GET /v2/default_symbols': { tag: T, summary: 'Default symbol of each node type', responses: { 200: json('Symbols', anyJson) } },
  'GET /v2/symbols/{symbol_id}/raw': { tag: T, summary: 'Symbol image', responses: { 200: file('SVG or bitmap', 'image/svg+xml') } },
  'POST /v2/symbols/{symbol_id}/raw': { tag: T, summary: 'Upload a symbol image', body: 'binary', responses: { 204: empty() } },
  'GET /v2/symbols/{symbol_id}/dimensions': { tag: T, summary: 'Symbol width and height', responses: { 200: json('Dimensions', s.object({ width: s.number(), height: s.number() })) } },
  ...collection('/v2/projects', 'project_id', { tag: P, names: ['Project', 'Projects'], schema: controllerProject, bodies: [ProjectCreate, ProjectUpdate], summaries: ['Projects', 'Create a project', 'Get a project', 'Update a project', 'Delete a project'] }),
  'POST /v2/projects/load': { tag: P, summary: 'Open a .gns3 file', body: ProjectLoad, responses: { 201: json('Project', controllerProject) } },
  'POST /v2/projects/{project_id}/open': { tag: P, summary: 'Open a project', responses: { 201: json('Project', controllerProject) } },
  'POST /v2/projects/{project_id}/close': { tag: P, summary: 'Close a project', responses: { 204: empty() } },
  'GET /v2/projects/{project_id}/stats': { tag: P, summary: 'Counts of nodes, links, drawings and snapshots', responses: { 200: json('Counts', anyJson) } },
  'GET /v2/projects/{project_id}/export': { tag: P, summary: 'Export the project as a portable archive', query: { include_snapshots: 'yes/no', include_images: 'yes/no', reset_mac_addresses: 'yes/no', keep_compute_ids: 'yes/no', compression: 'zip, none, bzip2 or lzma' }, responses: { 200: file('ZIP archive', 'application/gns3project') } },
  'POST /v2/projects/{project_id}/import': { tag: P, summary: 'Import a portable project archive', body: 'binary', query: { name: 'project name', path: 'where to put it' }, responses: { 201: json('Project', controllerProject) } },
  'POST /v2/projects/{project_id}/duplicate': { tag: P, summary: 'Duplicate a project', body: ProjectDuplicate, responses: { 201: json('Project', controllerProject) } },
  'GET /v2/projects/{project_id}/snapshots': { tag: P, summary: 'Snapshots', responses: { 200: json('Snapshots', list(snapshot)) } },
  'POST /v2/projects/{project_id}/snapshots': { tag: P, summary: 'Take a snapshot', body: SnapshotCreate, responses: { 201: json('Snapshot', snapshot) } },
  'DELETE /v2/projects/{project_id}/snapshots/{snapshot_id}': { tag: P, summary: 'Delete a snapshot', responses: { 204: empty() } },
  'POST /v2/projects/{project_id}/snapshots/{snapshot_id}/restore': { tag: P, summary: 'Restore a snapshot', responses: { 201: json('Project', controllerProject) } },
  'GET /v2/projects/{project_id}/files/{path}': { tag: P, summary: 'Download a project file', responses: { 200: file('File content') } },
  'POST /v2/projects/{project_id}/files/{path}': { tag: P, summary: 'Upload a project file', body: 'binary', responses: { 201: empty('Written; empty body.') } },
  'GET /v2/projects/{project_id}/notifications': { tag: P, summary: 'Project notifications as a stream of JSON lines', responses: { 200: file('JSON lines', 'application/json') } },
  'GET /v2/projects/{project_id}/notifications/ws': { tag: P, summary: 'Project notifications over WebSocket', responses: upgrade('one JSON text frame per event') },
  'POST /v2/projects/{project_id}/templates/{template_id}': { tag: N, summary: 'Create a node from a template', body: TemplateInstance, responses: { 201: json('Node', controllerNode) } },
  ...collection('/v2/projects/{project_id}/nodes', 'node_id', { tag: N, names: ['Node', 'Nodes'], schema: controllerNode, bodies: [NodeCreate, NodeUpdate], summaries: ['Nodes of a project', 'Create a node on a compute', 'Get a node', 'Update a node', 'Delete a node'] }),
  'POST /v2/projects/{project_id}/nodes/start': { tag: N, summary: 'Start every node', responses: { 204: empty() } },
  'POST /v2/projects/{project_id}/nodes/stop': { tag: N, summary: 'Stop every node', responses: { 204: empty() } },
  'POST /v2/projects/{project_id}/nodes/suspend': { tag: N, summary: 'Suspend every node', responses: { 204: empty() } },
  'POST /v2/projects/{project_id}/nodes/reload': { tag: N, summary: 'Reload every node', responses: { 204: empty() } },
  'POST /v2/projects/{project_id}/nodes/console/reset': { tag: N, summary: 'Reset every node console', responses: { 204: empty() } },
  'POST /v2/projects/{project_id}/nodes/{node_id}/start': { tag: N, summary: 'Start a node', responses: { 200: json('Node', controllerNode) } },
  'POST /v2/projects/{project_id}/nodes/{node_id}/stop': { tag: N, summary: 'Stop a node', responses: { 200: json('Node', controllerNode) } },
  'POST /v2/projects/{project_id}/nodes/{node_id}/suspend': { tag: N, summary: 'Suspend a node', responses: { 200: json('Node', controllerNode) } },
  'POST /v2/projects/{project_id}/nodes/{node_id}/reload': { tag: N, summary: 'Reload a node', responses: { 200: json('Node', controllerNode) } },
  'POST /v2/projects/{project_id}/nodes/{node_id}/resize_disk': { tag: N, summary: 'Extend a QEMU node\'s disk by `extend` MB (forwarded to its compute; node stopped)', body: QemuResizeDisk, responses: { 201: empty('Resized; empty body.') } },
  'POST /v2/projects/{project_id}/nodes/{node_id}/duplicate': { tag: N, summary: 'Duplicate a node', body: NodeDuplicate, responses: { 201: json('Node', controllerNode) } },
  'GET /v2/projects/{project_id}/nodes/{node_id}/links': { tag: N, summary: 'Links of a node', responses: { 200: json('Links', list(link)) } },
  'POST /v2/computes/{compute_id}/auto_idlepc': { tag: N, summary: 'Auto idle-PC for an image: a throw-away project with one router on that compute', body: AutoIdlePc, responses: { 200: json('The chosen value', s.object({ idlepc: s.string() })) } },
  'GET /v2/projects/{project_id}/nodes/{node_id}/dynamips/auto_idlepc': { tag: N, summary: 'Auto idle-PC of a Dynamips router (forwarded to its compute)', responses: { 200: json('The chosen value', s.object({ idlepc: s.string() })) } },
  'GET /v2/projects/{project_id}/nodes/{node_id}/dynamips/idlepc_proposals': { tag: N, summary: 'Idle-PC proposals of a Dynamips router (forwarded to its compute)', responses: { 200: json('Proposal lines', list(s.string())) } },
  'POST /v2/projects/{project_id}/nodes/{node_id}/console/reset': { tag: N, summary: 'Reset a node console', responses: { 204: empty() } },
  'GET /v2/projects/{project_id}/nodes/{node_id}/console/ws': { tag: N, summary: 'Node console over WebSocket', responses: upgrade('binary frames to and from the console') },
  'GET /v2/projects/{project_id}/nodes/{node_id}/files/{path}': { tag: N, summary: 'Download a node file', responses: { 200: file('File content') } },
  'POST /v2/projects/{project_id}/nodes/{node_id}/files/{path}': { tag: N, summary: 'Upload a node file', body: 'binary', responses: { 201: empty('Written; empty body.') } },
  ...collection('/v2/projects/{project_id}/links', 'link_id', { tag: L, names: ['Link', 'Links'], schema: link, bodies: [LinkCreate, LinkUpdate], updateStatus: 201, summaries: ['Links of a project', 'Create a link', 'Get a link', 'Update a link (filters, suspend, style)', 'Delete a link'] }),
  'GET /v2/projects/{project_id}/links/{link_id}/available_filters': { tag: L, summary: 'Filters the link supports', responses: { 200: json('Filters', list(anyJson)) } },
  'POST /v2/projects/{project_id}/links/{link_id}/start_capture': { tag: L, summary: 'Start a capture on the link', body: CaptureStart, responses: { 201: json('Link', link) } },
  'POST /v2/projects/{project_id}/links/{link_id}/stop_capture': { tag: L, summary: 'Stop the capture', responses: { 201: json('Link', link) } },
  'GET /v2/projects/{project_id}/links/{link_id}/pcap': { tag: L, summary: 'Stream the link capture', responses: { 200: file('pcap stream', 'application/vnd.tcpdump.pcap') } },
  ...collection('/v2/projects/{project_id}/drawings', 'drawing_id', { tag: P, names: ['Drawing', 'Drawings'], schema: drawing, bodies: [DrawingBody, DrawingBody], updateStatus: 201, summaries: ['Drawings of a project', 'Create a drawing', 'Get a drawing', 'Update a drawing', 'Delete a drawing'] }),
};

const O = 'operations';

const opsRoutes: Record<string, RouteDoc> = {
  'GET /metrics': { tag: O, summary: 'Prometheus metrics (requests, nodes, relay counters, worker pool, emulator CPU/memory)', responses: { 200: file('Prometheus text format 0.0.4', 'text/plain; version=0.0.4') } },
  'GET /v2/openapi.json': { tag: O, summary: 'This document', responses: { 200: json('OpenAPI 3.1 document', anyJson) } },
  'GET /docs': { tag: O, summary: 'API reference page generated from this document', responses: { 200: file('HTML', 'text/html') } },
};

const W = 'web UI';

const webRoutes: Record<string, RouteDoc> = {
  'GET /': { tag: W, summary: "patchbay's web UI (controller only; built by npm run build)", responses: { 200: file('HTML', 'text/html') } },
  'GET /ui/{path}': { tag: W, summary: "An asset of patchbay's web UI", responses: { 200: file('The file') } },
  'GET /static/web-ui': { tag: W, summary: 'Redirect to /static/web-ui/ (with --gns3-web-ui)', responses: { 302: empty('Redirect') } },
  'GET /static/web-ui/': { tag: W, summary: "GNS3's web UI (with --gns3-web-ui)", responses: { 200: file('HTML', 'text/html') } },
  'GET /static/web-ui/{path}': { tag: W, summary: "A file of GNS3's web UI, else its index.html (single-page-app routes)", responses: { 200: file('The file') } },
};

export const ROUTE_DOCS: Record<string, RouteDoc> = { ...computeRoutes, ...controllerRoutes, ...opsRoutes, ...webRoutes, ...V3_ROUTE_DOCS };
