/** VPCS node bodies (GNS3 VPCS_CREATE_SCHEMA / VPCS_UPDATE_SCHEMA). */
import * as v from 'valibot';
import { Name, Port, Uuid } from '../schemas.ts';

const VpcsConsoleType = v.picklist(['telnet', 'none']);

export const VpcsCreate = v.strictObject({
  name: Name,
  // Legacy 1.x projects send integer ids; GNS3 replaces them with a fresh UUID.
  node_id: v.optional(v.union([Uuid, v.pipe(v.number(), v.integer())])),
  console: v.optional(v.nullable(Port)),
  console_type: v.optional(VpcsConsoleType, 'telnet'),
  startup_script: v.optional(v.nullable(v.string())),
});
export type VpcsCreate = v.InferOutput<typeof VpcsCreate>;

export const VpcsUpdate = v.strictObject({
  name: v.optional(v.nullable(Name)),
  console: v.optional(v.nullable(Port)),
  console_type: v.optional(VpcsConsoleType),
});
export type VpcsUpdate = v.InferOutput<typeof VpcsUpdate>;
