/**
 * Catalogue entries of the GNS3 3.0 routes (`/v3`, `/v3/compute`), merged into ROUTE_DOCS. Privileges are named in
 * the summaries; every route but version, login and symbol images needs a bearer token (`?token=` on WebSockets).
 */
import * as s from 'valibot';
import {
  AceBody, CaptureStart, ComputeCreate, ComputeUpdate, Credentials, DrawingBody, GroupBody, GroupUpdate, LinkCreate, LinkUpdate, NodeCreate,
  NodeDuplicate, NodeUpdate, PoolBody, PoolUpdate, ProjectCreate, ProjectLoad, ProjectUpdate, RoleBody, RoleUpdate, StartData, TemplateCreate,
  TemplateInstance, UserCreate, UserSelfUpdate, UserUpdate, VersionCheck, ApplianceVersion, IouLicense,
} from '../v3/schemas.ts';
import { Gns3Vm } from '../../controller/schemas.ts';
import { QemuDiskImageCreate, QemuDiskImageUpdate } from '../../compute/qemu/schemas.ts';
import { collection, empty as none, file, json, list, upgrade as ws, type ResponseDoc, type RouteDoc } from './route-doc.ts';
import { ControllerObject } from './response-schemas.ts';

const obj = (description: string) => ControllerObject(description);

const user = obj('A user (no password).');
const group = obj('A user group.');
const role = obj('A role with its privileges.');
const ace = obj('An access control entry.');
const pool = obj('A resource pool.');
const project = obj('A project (same JSON as /v2).');
const node = obj('A node (v2 node JSON plus `aux`, `aux_type`).');
const link = obj('A link.');
const drawing = obj('A drawing.');
const compute = obj('A compute (password masked).');
const template = obj('A template.');
const any = obj('JSON.');
const token = s.object({ access_token: s.string(), token_type: s.literal('bearer') });

/** A route written compactly; the collections' five routes come in as RouteDocs (`collection()`), a later entry replacing one. */
type Entry = [summary: string, tag: string, responses: Record<number, ResponseDoc>, body?: RouteDoc['body'], query?: Record<string, string>];
const entries: Record<string, Entry | RouteDoc> = {
  'GET /v3/compute/version': ['Compute version (3.0 controllers require their own)', 'v3 compute', { 200: json('Version', s.object({ version: s.string() })) }],
  'GET /v3/compute/capabilities': ['Node types, platform, CPUs, memory and disk size; records the caller as controller host', 'v3 compute', { 200: json('Capabilities', any) }],
  'GET /v3/compute/notifications/ws': ['Compute events and pings (Basic auth checked after the upgrade)', 'v3 compute', ws('JSON text frames')],
  'GET /v3/version': ['Controller version, controller host, local flag (no auth)', 'v3 server', { 200: json('Version', any) }],
  'POST /v3/version': ['Check the client version (409 when different)', 'v3 server', { 200: json('Version', any) }, VersionCheck],
  'GET /v3/symbols/{symbol_id}/raw': ['Symbol image (no auth)', 'v3 symbols', { 200: file('Image', 'image/svg+xml') }],
  'POST /v3/access/users/login': ['Token from a form (`username`, `password`); throttled after failures', 'v3 access', { 200: json('Token', token), 401: none('Bad credentials'), 429: none('Too many failures') }],
  'POST /v3/access/users/authenticate': ['Token from JSON credentials; throttled after failures', 'v3 access', { 200: json('Token', token), 401: none('Bad credentials') }, Credentials],
  'GET /v3/notifications/ws': ['Controller events (`?token=`)', 'v3 notifications', ws('JSON text frames')],
  'GET /v3/projects/{project_id}/notifications/ws': ['Project events (`?token=`, Project.Audit)', 'v3 notifications', ws('JSON text frames')],
  'GET /v3/projects/{project_id}/nodes/{node_id}/console/ws': ['Node console (`?token=`, Node.Console)', 'v3 nodes', ws('text in, binary out')],
  'GET /v3/access/users/me': ['The current user', 'v3 access', { 200: json('User', user) }],
  'PUT /v3/access/users/me': ['Change own password, email or full name', 'v3 access', { 200: json('User', user) }, UserSelfUpdate],
  ...collection('/v3/access/users', 'user_id', { tag: 'v3 access', names: ['User', 'Users'], schema: user, bodies: [UserCreate, UserUpdate], summaries: ['Users (User.Audit)', 'Create a user (User.Allocate)', 'Get a user (User.Audit)', 'Update a user (User.Modify; the super admin only by itself)', 'Delete a user (User.Allocate; not the super admin)'] }),
  'GET /v3/access/users/{user_id}/groups': ['Groups of a user (Group.Audit)', 'v3 access', { 200: json('Groups', list(group)) }],
  ...collection('/v3/access/groups', 'group_id', { tag: 'v3 access', names: ['Group', 'Groups'], schema: group, bodies: [GroupBody, GroupUpdate], summaries: ['Groups (Group.Audit)', 'Create a group (Group.Allocate)', 'Get a group (Group.Audit)', 'Rename a group (Group.Modify; not built-in ones)', 'Delete a group (Group.Allocate; not built-in ones)'] }),
  'GET /v3/access/groups/{group_id}/members': ['Members of a group (Group.Audit)', 'v3 access', { 200: json('Users', list(user)) }],
  'PUT /v3/access/groups/{group_id}/members/{user_id}': ['Add a member (Group.Modify)', 'v3 access', { 204: none() }],
  'DELETE /v3/access/groups/{group_id}/members/{user_id}': ['Remove a member (Group.Modify)', 'v3 access', { 204: none() }],
  ...collection('/v3/access/roles', 'role_id', { tag: 'v3 access', names: ['Role', 'Roles'], schema: role, bodies: [RoleBody, RoleUpdate], summaries: ['Roles (Role.Audit)', 'Create a role (Role.Allocate)', 'Get a role (Role.Audit)', 'Update a role (Role.Modify; not built-in ones)', 'Delete a role (Role.Allocate; not built-in ones)'] }),
  'GET /v3/access/roles/{role_id}/privileges': ['Privileges of a role (Role.Audit)', 'v3 access', { 200: json('Privileges', list(any)) }],
  'PUT /v3/access/roles/{role_id}/privileges/{privilege_id}': ['Grant a privilege to a role (Role.Modify, and holding it on /)', 'v3 access', { 204: none() }],
  'DELETE /v3/access/roles/{role_id}/privileges/{privilege_id}': ['Revoke a privilege from a role (Role.Modify)', 'v3 access', { 204: none() }],
  'GET /v3/access/privileges': ['The 45 privileges', 'v3 access', { 200: json('Privileges', list(any)) }],
  'GET /v3/access/acl/endpoints': ['Resource paths ACEs may name (ACE.Audit; 201 as 3.0)', 'v3 access', { 201: json('Endpoints', list(any)) }],
  ...collection('/v3/access/acl', 'ace_id', { tag: 'v3 access', names: ['ACE', 'ACEs'], schema: ace, bodies: [AceBody, AceBody], summaries: ['ACL entries (ACE.Audit)', 'Create an ACE (ACE.Allocate; only privileges the caller holds there)', 'Get an ACE (ACE.Audit)', 'Replace an ACE (ACE.Modify)', 'Delete an ACE (ACE.Allocate)'] }),
  ...collection('/v3/pools', 'pool_id', { tag: 'v3 pools', names: ['Pool', 'Pools'], schema: pool, bodies: [PoolBody, PoolUpdate], summaries: ['Resource pools (Pool.Audit)', 'Create a pool (Pool.Allocate)', 'Get a pool (Pool.Audit)', 'Rename a pool (Pool.Modify)', 'Delete a pool (Pool.Allocate)'] }),
  'GET /v3/pools/{pool_id}/resources': ['Projects in a pool (Pool.Audit)', 'v3 pools', { 200: json('Resources', list(any)) }],
  'PUT /v3/pools/{pool_id}/resources/{resource_id}': ['Add a project to a pool (Pool.Modify)', 'v3 pools', { 204: none() }],
  'DELETE /v3/pools/{pool_id}/resources/{resource_id}': ['Remove a project from a pool (Pool.Modify)', 'v3 pools', { 204: none() }],
  'GET /v3/notifications': ['Controller events as a JSON-lines stream', 'v3 notifications', { 200: json('Stream', any) }],
  'GET /v3/projects/{project_id}/notifications': ['Project events as a JSON-lines stream (Project.Audit)', 'v3 notifications', { 200: json('Stream', any) }],
  'POST /v3/reload': ['Reload (nothing to do)', 'v3 server', { 204: none() }],
  'POST /v3/shutdown': ['Refused: not a local server', 'v3 server', { 403: none('Not a local server') }],
  'GET /v3/statistics': ['Statistics of every connected compute', 'v3 server', { 200: json('Statistics', list(any)) }],
  'GET /v3/iou_license': ['IOU license settings', 'v3 server', { 200: json('License', any) }],
  'PUT /v3/iou_license': ['Store IOU license settings (both keys required)', 'v3 server', { 201: json('License', any) }, IouLicense],
  'GET /v3/gns3vm': ['GNS3 VM settings (patchbay runs no GNS3 VM)', 'v3 server', { 200: json('Settings', any) }],
  'PUT /v3/gns3vm': ['Store GNS3 VM settings; answers the keys sent (409 when asked to start a VM)', 'v3 server', { 200: json('Settings', any), 409: none('No engine can run a VM') }, Gns3Vm],
  'GET /v3/gns3vm/engines': ['GNS3 VM engines', 'v3 server', { 200: json('Engines', list(any)) }],
  'GET /v3/gns3vm/engines/{engine}/vms': ['VMs of an engine (none: the GNS3 VM is disabled)', 'v3 server', { 200: json('VMs', list(any)) }],
  'GET /v3/appliances': ['Appliances (none bundled; Appliance.Audit)', 'v3 server', { 200: json('Appliances', list(any)) }],
  'GET /v3/appliances/{appliance_id}': ['An appliance (404: none bundled; Appliance.Audit)', 'v3 server', { 404: none('Unknown appliance') }],
  'POST /v3/appliances/{appliance_id}/version': ['Add a version to an appliance (404: none bundled; Appliance.Allocate)', 'v3 server', { 404: none('Unknown appliance') }, ApplianceVersion],
  'POST /v3/appliances/{appliance_id}/install': ['Install an appliance (404: none bundled; Appliance.Allocate)', 'v3 server', { 404: none('Unknown appliance') }, undefined, { version: 'appliance version' }],
  'GET /v3/computes': ['Registered computes, stored form (the local compute is not listed)', 'v3 computes', { 200: json('Computes', list(compute)) }],
  'POST /v3/computes': ['Register a compute (Compute.Allocate)', 'v3 computes', { 201: json('Compute', compute) }, ComputeCreate, { connect: 'wait for the connection (409 if it fails)' }],
  'GET /v3/computes/{compute_id}': ['Get a registered compute', 'v3 computes', { 200: json('Compute', compute) }],
  'POST /v3/computes/{compute_id}/connect': ['Connect now', 'v3 computes', { 204: none() }],
  'PUT /v3/computes/{compute_id}': ['Update a compute (Compute.Modify)', 'v3 computes', { 200: json('Compute', compute) }, ComputeUpdate],
  'DELETE /v3/computes/{compute_id}': ['Delete a compute (Compute.Allocate)', 'v3 computes', { 204: none() }],
  'POST /v3/computes/{compute_id}/dynamips/auto_idlepc': ['Forwarded to the compute', 'v3 computes', { 200: json('Answer', any) }, 'binary'],
  'GET /v3/computes/{compute_id}/{emulator}/{action}': ['Forwarded to the compute (deprecated upstream)', 'v3 computes', { 200: json('Answer', any) }],
  'POST /v3/computes/{compute_id}/{emulator}/{action}': ['Forwarded to the compute (deprecated upstream)', 'v3 computes', { 200: json('Answer', any) }, 'binary'],
  'PUT /v3/computes/{compute_id}/{emulator}/{action}': ['Forwarded to the compute (deprecated upstream)', 'v3 computes', { 200: json('Answer', any) }, 'binary'],
  ...collection('/v3/templates', 'template_id', { tag: 'v3 templates', names: ['Template', 'Templates'], schema: template, bodies: [TemplateCreate, TemplateCreate], summaries: ['Templates: user ones, then the built-ins', 'Create a template (Template.Allocate; unknown keys dropped)', 'Get a template (ETag, 304 on If-None-Match)', 'Update a template (Template.Modify; 403 for built-ins)', 'Delete a template (Template.Allocate; 403 for built-ins)'] }),
  'GET /v3/templates/{template_id}': ['Get a template (ETag, 304 on If-None-Match)', 'v3 templates', { 200: json('Template', template), 304: none('Not modified') }],
  'POST /v3/templates/{template_id}/duplicate': ['Duplicate a template (Template.Allocate; 403 for built-ins)', 'v3 templates', { 201: json('Template', template) }],
  'GET /v3/symbols': ['Symbols (Symbol.Audit)', 'v3 symbols', { 200: json('Symbols', list(any)) }],
  'GET /v3/symbols/default_symbols': ['Default symbol per theme and role (Symbol.Audit)', 'v3 symbols', { 200: json('Symbols', any) }],
  'POST /v3/symbols/{symbol_id}/raw': ['Upload a symbol (Symbol.Allocate)', 'v3 symbols', { 204: none() }, 'binary'],
  'GET /v3/symbols/{symbol_id}/dimensions': ['Symbol size (Symbol.Audit)', 'v3 symbols', { 200: json('Size', any) }],
  ...collection('/v3/projects', 'project_id', { tag: 'v3 projects', names: ['Project', 'Projects'], schema: project, bodies: [ProjectCreate, ProjectUpdate], summaries: ['Projects the user may audit', 'Create a project (Project.Allocate)', 'Get a project (Project.Audit)', 'Update a project (Project.Modify)', 'Delete a project (Project.Allocate)'] }),
  'POST /v3/projects/load': ['Load a .gns3 file (local servers only; Project.Allocate)', 'v3 projects', { 201: json('Project', project) }, ProjectLoad],
  'POST /v3/projects/{project_id}/open': ['Open a project (Project.Allocate)', 'v3 projects', { 201: json('Project', project) }],
  'POST /v3/projects/{project_id}/close': ['Close a project (Project.Allocate)', 'v3 projects', { 204: none() }],
  'GET /v3/projects/{project_id}/stats': ['Counts of nodes, links, drawings, snapshots (Project.Audit)', 'v3 projects', { 200: json('Stats', any) }],
  'GET /v3/projects/{project_id}/locked': ['Whether every node and drawing is locked (Project.Audit)', 'v3 projects', { 200: json('Locked', s.boolean()) }],
  'POST /v3/projects/{project_id}/lock': ['Lock every node and drawing (Project.Modify)', 'v3 projects', { 204: none() }],
  'POST /v3/projects/{project_id}/unlock': ['Unlock every node and drawing (Project.Modify)', 'v3 projects', { 204: none() }],
  'GET /v3/projects/{project_id}/files/{path}': ['Download a project file (Project.Audit)', 'v3 projects', { 200: file('File') }],
  'POST /v3/projects/{project_id}/files/{path}': ['Write a project file (Project.Modify)', 'v3 projects', { 204: none() }, 'binary'],
  'GET /v3/images': ['Images of the controller store (Image.Audit)', 'v3 images', { 200: json('Images', list(any)) }, undefined, { image_type: 'qemu, ios or iou' }],
  'POST /v3/images/upload/{image_path}': ['Upload an image, typed from its content (Image.Allocate)', 'v3 images', { 201: json('Image', any) }, 'binary'],
  'GET /v3/images/{image_path}': ['Get an image (Image.Audit)', 'v3 images', { 200: json('Image', any) }],
  'DELETE /v3/images/{image_path}': ['Delete an image not used by a template (Image.Allocate)', 'v3 images', { 204: none(), 409: none('Used by templates') }],
  'DELETE /v3/images/prune': ['Delete every image no template uses (Image.Allocate)', 'v3 images', { 204: none() }],
  'POST /v3/images/qemu/{image_path}': ['Create a blank QEMU disk with qemu-img (Image.Allocate)', 'v3 images', { 201: json('Image', any), 400: none('Already exists') }, QemuDiskImageCreate],
  'POST /v3/images/install': ['Templates from appliance checksums (none bundled: nothing to do; Image.Allocate)', 'v3 images', { 204: none() }],
  'GET /v3/projects/{project_id}/export': ['Export a project archive (Project.Audit; zstd and zip both give deflate)', 'v3 projects', { 200: file('Archive', 'application/gns3project') }, undefined, { include_snapshots: 'boolean', reset_mac_addresses: 'boolean', keep_compute_ids: 'boolean', compression: 'none, zip or zstd' }],
  'POST /v3/projects/{project_id}/import': ['Import a project archive (Project.Allocate)', 'v3 projects', { 201: json('Project', project) }, 'binary', { name: 'project name' }],
  'POST /v3/projects/{project_id}/duplicate': ['Duplicate a project (Project.Audit; joins the source pools)', 'v3 projects', { 201: json('Project', project) }, s.object({ name: s.string() })],
  'GET /v3/projects/{project_id}/snapshots': ['Snapshots (Snapshot.Audit)', 'v3 projects', { 200: json('Snapshots', list(any)) }],
  'POST /v3/projects/{project_id}/snapshots': ['Create a snapshot (Snapshot.Allocate)', 'v3 projects', { 201: json('Snapshot', any) }, s.object({ name: s.string() })],
  'DELETE /v3/projects/{project_id}/snapshots/{snapshot_id}': ['Delete a snapshot (Snapshot.Allocate)', 'v3 projects', { 204: none() }],
  'POST /v3/projects/{project_id}/snapshots/{snapshot_id}/restore': ['Restore a snapshot (Snapshot.Restore)', 'v3 projects', { 201: json('Project', project) }],
  ...collection('/v3/projects/{project_id}/nodes', 'node_id', { tag: 'v3 nodes', names: ['Node', 'Nodes'], schema: node, bodies: [NodeCreate, NodeUpdate], summaries: ['Nodes (Node.Audit)', 'Create a node (Node.Allocate; unknown keys dropped)', 'Get a node (Node.Audit)', 'Update a node (Node.Modify; unset keys left out of the answer)', 'Delete a node (Node.Allocate)'] }),
  'POST /v3/projects/{project_id}/templates/{template_id}': ['Node from a template (Node.Allocate; the name comes from the template)', 'v3 nodes', { 201: json('Node', node) }, TemplateInstance],
  'POST /v3/projects/{project_id}/nodes/start': ['Start every node (Node.PowerMgmt)', 'v3 nodes', { 204: none() }],
  'POST /v3/projects/{project_id}/nodes/stop': ['Stop every node (Node.PowerMgmt)', 'v3 nodes', { 204: none() }],
  'POST /v3/projects/{project_id}/nodes/suspend': ['Suspend every node (Node.PowerMgmt)', 'v3 nodes', { 204: none() }],
  'POST /v3/projects/{project_id}/nodes/reload': ['Reload every node (Node.PowerMgmt)', 'v3 nodes', { 204: none() }],
  'POST /v3/projects/{project_id}/nodes/console/reset': ['Reset every console (Node.Console)', 'v3 nodes', { 204: none() }],
  'POST /v3/projects/{project_id}/nodes/{node_id}/start': ['Start a node; a JSON object body is required (Node.PowerMgmt)', 'v3 nodes', { 204: none() }, StartData],
  'POST /v3/projects/{project_id}/nodes/{node_id}/stop': ['Stop a node (Node.PowerMgmt)', 'v3 nodes', { 204: none() }],
  'POST /v3/projects/{project_id}/nodes/{node_id}/suspend': ['Suspend a node (Node.PowerMgmt)', 'v3 nodes', { 204: none() }],
  'POST /v3/projects/{project_id}/nodes/{node_id}/reload': ['Reload a node (Node.PowerMgmt)', 'v3 nodes', { 204: none() }],
  'POST /v3/projects/{project_id}/nodes/{node_id}/isolate': ['Suspend every link of a node (Link.Modify)', 'v3 nodes', { 204: none() }],
  'POST /v3/projects/{project_id}/nodes/{node_id}/unisolate': ['Resume every link of a node (Link.Modify)', 'v3 nodes', { 204: none() }],
  'POST /v3/projects/{project_id}/nodes/{node_id}/qemu/disk_image/{disk_name}': ['Create a disk in a QEMU node\'s folder (Node.Allocate)', 'v3 nodes', { 204: none(), 400: none('Not a QEMU node') }, QemuDiskImageCreate],
  'PUT /v3/projects/{project_id}/nodes/{node_id}/qemu/disk_image/{disk_name}': ['Extend a QEMU node\'s disk by `extend` MB (Node.Allocate)', 'v3 nodes', { 204: none(), 400: none('Not a QEMU node') }, QemuDiskImageUpdate],
  'DELETE /v3/projects/{project_id}/nodes/{node_id}/qemu/disk_image/{disk_name}': ['Delete a QEMU node\'s disk (Node.Allocate)', 'v3 nodes', { 204: none(), 400: none('Not a QEMU node') }],
  'POST /v3/projects/{project_id}/nodes/{node_id}/duplicate': ['Duplicate a stopped node (Node.Allocate)', 'v3 nodes', { 201: json('Node', node) }, NodeDuplicate],
  'GET /v3/projects/{project_id}/nodes/{node_id}/links': ['Links of a node (Link.Audit)', 'v3 nodes', { 200: json('Links', list(link)) }],
  'POST /v3/projects/{project_id}/nodes/{node_id}/console/reset': ['Reset a console (Node.Console)', 'v3 nodes', { 204: none() }],
  'GET /v3/projects/{project_id}/nodes/{node_id}/files/{path}': ['Download a node file (Node.Audit)', 'v3 nodes', { 200: file('File') }],
  'POST /v3/projects/{project_id}/nodes/{node_id}/files/{path}': ['Write a node file (Node.Modify; answers `null`)', 'v3 nodes', { 201: json('null') }, 'binary'],
  ...collection('/v3/projects/{project_id}/links', 'link_id', { tag: 'v3 links', names: ['Link', 'Links'], schema: link, bodies: [LinkCreate, LinkUpdate], summaries: ['Links (Link.Audit)', 'Create a link (Link.Allocate; unknown keys dropped)', 'Get a link (Link.Audit)', 'Update a link (Link.Modify)', 'Delete a link (Link.Allocate)'] }),
  'GET /v3/projects/{project_id}/links/{link_id}/available_filters': ['Filters the link supports (Link.Audit)', 'v3 links', { 200: json('Filters', list(any)) }],
  'GET /v3/projects/{project_id}/links/{link_id}/iface': ['Host interface or UDP tunnel of the link\'s cloud/NAT port (Link.Audit)', 'v3 links', { 200: json('Interface', any), 409: none('No cloud or NAT end') }],
  'POST /v3/projects/{project_id}/links/{link_id}/reset': ['Re-create the link tunnel (Link.Modify)', 'v3 links', { 200: json('Link', link) }],
  'POST /v3/projects/{project_id}/links/{link_id}/capture/start': ['Start a capture; a JSON object body is required (Link.Capture)', 'v3 links', { 201: json('Link', link) }, CaptureStart],
  'POST /v3/projects/{project_id}/links/{link_id}/capture/stop': ['Stop the capture (Link.Capture)', 'v3 links', { 204: none() }],
  'GET /v3/projects/{project_id}/links/{link_id}/capture/stream': ['Stream the capture (Link.Capture)', 'v3 links', { 200: file('pcap', 'application/vnd.tcpdump.pcap') }],
  ...collection('/v3/projects/{project_id}/drawings', 'drawing_id', { tag: 'v3 projects', names: ['Drawing', 'Drawings'], schema: drawing, bodies: [DrawingBody, DrawingBody], summaries: ['Drawings (Drawing.Audit)', 'Create a drawing (Drawing.Allocate)', 'Get a drawing (Drawing.Audit)', 'Update a drawing (Drawing.Modify)', 'Delete a drawing (Drawing.Allocate)'] }),
};

const routeDoc = ([summary, tag, responses, body, query]: Entry): RouteDoc =>
  ({ summary, tag, responses, ...(body ? { body } : {}), ...(query ? { query } : {}) });

export const V3_ROUTE_DOCS: Record<string, RouteDoc> = Object.fromEntries(
  Object.entries(entries).map(([key, entry]) => [key, Array.isArray(entry) ? routeDoc(entry) : entry]),
);
