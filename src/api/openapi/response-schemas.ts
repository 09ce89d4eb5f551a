/** valibot schemas of response bodies, for the API document only (request bodies come from the route modules). */
import * as v from 'valibot';
import { Nio, Uuid } from '../../compute/schemas.ts';

const Int = v.pipe(v.number(), v.integer());
const PortRange = v.tuple([Int, Int]);

export const ErrorBody = v.pipe(
  v.looseObject({
    status: Int,
    message: v.string(),
    exception: v.optional(v.string()),
    image: v.optional(v.string()),
    path: v.optional(v.string()),
    method: v.optional(v.string()),
    request: v.optional(v.unknown()),
  }),
  v.description('GNS3 error body: `exception` on emulator errors (409), `path`/`method`/`request` on validation errors (400).'),
);

export const Version = v.strictObject({ version: v.string(), local: v.optional(v.boolean()) });

export const Capabilities = v.strictObject({ version: v.string(), platform: v.string(), node_types: v.array(v.string()) });

export const NetworkInterface = v.object({
  id: v.string(),
  name: v.string(),
  ip_address: v.string(),
  netmask: v.string(),
  mac_address: v.string(),
  type: v.picklist(['ethernet', 'tap']),
  special: v.boolean(),
});

export const NetworkPorts = v.strictObject({
  console_port_range: PortRange,
  console_ports: v.array(Int),
  udp_port_range: PortRange,
  udp_ports: v.array(Int),
});

export const UdpPort = v.strictObject({ udp_port: Int });

export const ComputeProject = v.object({ name: v.nullable(v.string()), project_id: Uuid, variables: v.nullable(v.array(v.unknown())) });

export const ComputeNode = v.pipe(
  v.looseObject({
    name: v.string(),
    node_id: Uuid,
    project_id: Uuid,
    node_directory: v.string(),
    status: v.picklist(['started', 'stopped', 'suspended']),
    console: v.nullable(Int),
    console_type: v.string(),
  }),
  v.description('The node as its driver reports it; each node type adds its own properties (e.g. `command_line`).'),
);

export const StoredNio = Nio;

export const PcapPath = v.strictObject({ pcap_file_path: v.string() });

export const ProjectFile = v.object({ path: v.string(), md5sum: v.string() });

/** Controller objects are large and evolve with the GUI; the document names their identifying fields. */
export const ControllerObject = (description: string, fields: v.ObjectEntries = {}) =>
  v.pipe(v.looseObject(fields), v.description(description));

export const Empty = v.pipe(v.strictObject({}), v.description('An empty JSON object.'));
