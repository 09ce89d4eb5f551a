/** Request bodies of the builtin node types (GNS3 ETHERNET_HUB_*, ETHERNET_SWITCH_*, CLOUD_* schemas). */
import * as v from 'valibot';
import { Name, Port, Uuid } from '../schemas.ts';
import { interfaceNameProblem } from '../../hostnet/interface-name.ts';
import { mappingsProblem, type CircuitKind } from './circuits.ts';

const PortNumber = v.pipe(v.number(), v.integer(), v.minValue(0));
const NodeId = v.union([Uuid, v.pipe(v.number(), v.integer())]);
const Status = v.picklist(['started', 'stopped', 'suspended']);
type Id = typeof NodeId | typeof Uuid;

/**
 * The create and update bodies of a builtin node type from the fields it adds: create names the node and may choose
 * its id; update may rename it and carries back the ids and status the client last read (ignored but for the name).
 */
function nodeBodies<F extends v.ObjectEntries, C extends v.ObjectEntries = {}, U extends v.ObjectEntries = {}>(
  fields: F,
  options: { createId?: Id; updateId?: Id; createOnly?: C; updateOnly?: U } = {},
) {
  return {
    create: v.strictObject({
      name: Name,
      node_id: v.optional(options.createId ?? NodeId),
      ...(options.createOnly as C),
      ...fields,
    }),
    update: v.strictObject({
      name: v.optional(Name),
      node_id: v.optional(options.updateId ?? Uuid),
      project_id: v.optional(Uuid),
      ...(options.updateOnly as U),
      ...fields,
      status: v.optional(Status),
    }),
  };
}

export const HubPort = v.strictObject({ name: Name, port_number: PortNumber });
export type HubPort = v.InferOutput<typeof HubPort>;

export const hubBodies = nodeBodies({ ports_mapping: v.optional(v.array(HubPort)) });
export type HubCreate = v.InferOutput<typeof hubBodies.create>;
export type HubUpdate = v.InferOutput<typeof hubBodies.update>;

export const SwitchPort = v.strictObject({
  name: Name,
  port_number: PortNumber,
  type: v.picklist(['access', 'dot1q', 'qinq']),
  vlan: v.optional(v.pipe(v.number(), v.integer(), v.minValue(1))),
  ethertype: v.optional(v.picklist(['', '0x8100', '0x88A8', '0x9100', '0x9200'])),
});
export type SwitchPort = v.InferOutput<typeof SwitchPort>;

export const switchBodies = nodeBodies({
  console: v.optional(v.nullable(Port)),
  console_type: v.optional(v.nullable(v.picklist(['telnet', 'none']))),
  ports_mapping: v.optional(v.array(SwitchPort)),
});
export type SwitchCreate = v.InferOutput<typeof switchBodies.create>;
export type SwitchUpdate = v.InferOutput<typeof switchBodies.update>;

const CloudEthernetPort = v.strictObject({
  name: Name,
  port_number: PortNumber,
  type: v.picklist(['ethernet', 'tap']),
  interface: v.string(),
});
const CloudUdpPort = v.strictObject({
  name: Name,
  port_number: PortNumber,
  type: v.literal('udp'),
  lport: Port,
  rhost: Name,
  rport: Port,
});
export const CloudPort = v.union([CloudEthernetPort, CloudUdpPort]);
export type CloudPort = v.InferOutput<typeof CloudPort>;

/**
 * Why the host interfaces of a mapping cannot be used, or null: names Linux refuses (too long, odd characters) or
 * an interface mapped twice. Checked on every element, since these names reach `ip` and the relay.
 */
export function hostMappingProblem(ports: ReadonlyArray<Record<string, unknown>>): string | null {
  const seen = new Map<string, number>();
  for (const [index, port] of ports.entries()) {
    if (port.type !== 'ethernet' && port.type !== 'tap') continue;
    const name = port.interface;
    const field = `ports_mapping[${index}].interface`;
    if (typeof name !== 'string') return `${field} must be a string`;
    const problem = interfaceNameProblem(name);
    if (problem) return `${field} ${JSON.stringify(name)} ${problem}`;
    const earlier = seen.get(name);
    if (earlier !== undefined) return `${field} ${JSON.stringify(name)} is already mapped by ports_mapping[${earlier}]`;
    seen.set(name, index);
  }
  return null;
}

/**
 * Upstream validates only the first element (tuple-form `items`); later elements are taken as they come, except for
 * their host interface names (hostMappingProblem).
 */
const CloudPorts = v.pipe(
  v.array(v.record(v.string(), v.unknown())),
  v.check((ports) => ports.length === 0 || v.is(CloudPort, ports[0]), 'Invalid port in ports_mapping'),
  v.rawCheck(({ dataset, addIssue }) => {
    const problem = dataset.typed ? hostMappingProblem(dataset.value) : null;
    if (problem) addIssue({ message: problem });
  }),
  v.transform((ports) => ports as unknown as CloudPort[]),
);

export const cloudBodies = nodeBodies(
  {
    remote_console_host: v.optional(v.string()),
    remote_console_port: v.optional(v.nullable(Port)),
    remote_console_type: v.optional(v.picklist(['telnet', 'vnc', 'spice', 'http', 'https', 'none'])),
    remote_console_http_path: v.optional(v.string()),
    ports_mapping: v.optional(CloudPorts),
    interfaces: v.optional(v.array(v.unknown())),
  },
  { updateOnly: { node_directory: v.optional(v.nullable(v.string())) } },
);
export type CloudCreate = v.InferOutput<typeof cloudBodies.create>;
export type CloudUpdate = v.InferOutput<typeof cloudBodies.update>;

/** GNS3's `mappings` of a Frame Relay or ATM switch, checked here (gns3-server fails later with a 500). */
const Mappings = (kind: CircuitKind) =>
  v.pipe(
    v.record(v.string(), v.string()),
    v.rawCheck(({ dataset, addIssue }) => {
      if (!dataset.typed) return;
      const problem = mappingsProblem(kind, dataset.value);
      if (problem) addIssue({ message: problem });
    }),
  );

/** Bodies of `frame_relay_switch` / `atm_switch` (FRAME_RELAY_SWITCH_* and ATM_SWITCH_* schemas). */
export const circuitSwitchBodies = (kind: CircuitKind) => nodeBodies({ mappings: v.optional(Mappings(kind)) }, { createId: Uuid });
export type CircuitSwitchCreate = v.InferOutput<ReturnType<typeof circuitSwitchBodies>['create']>;
export type CircuitSwitchUpdate = v.InferOutput<ReturnType<typeof circuitSwitchBodies>['update']>;

/**
 * GNS3's NAT_OBJECT_SCHEMA: `ports_mapping` is accepted and ignored (the NAT port cannot be changed). The schema
 * takes the update fields on create too; it requires nothing, but its handler reads `name` (a 500 without it): we
 * answer 400 instead.
 */
export const natBodies = nodeBodies(
  { ports_mapping: v.optional(v.array(v.unknown())) },
  { updateId: NodeId, createOnly: { project_id: v.optional(Uuid), status: v.optional(Status) } },
);
export type NatCreate = v.InferOutput<typeof natBodies.create>;
export type NatUpdate = v.InferOutput<typeof natBodies.update>;
