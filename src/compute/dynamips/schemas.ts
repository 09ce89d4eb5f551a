/** Request bodies of `dynamips` nodes (GNS3 2.2 VM_CREATE_SCHEMA / VM_UPDATE_SCHEMA); platform rules are in hardware.ts. */
import * as v from 'valibot';
import { Name, Port, Uuid } from '../schemas.ts';
import { NPES, PLATFORMS } from './platforms.ts';

const Int = v.pipe(v.number(), v.integer());
const NonNegative = v.pipe(Int, v.minValue(0));
const Slot = v.optional(v.nullable(v.string()));
const MacAddr = v.nullable(v.pipe(v.string(), v.regex(/^([0-9a-fA-F]{4}\.){2}[0-9a-fA-F]{4}$/, 'must look like ca01.2f1a.0000')));
/** GNS3 takes any hex digits; Dynamips reports 8 (PowerPC) or 16 (MIPS64, sign-extended). */
export const IdlePc = v.pipe(v.string(), v.regex(/^(0x[0-9a-fA-F]{1,16})?$/, 'must be empty or a hexadecimal value such as 0x60606f54'));

const settings = {
  usage: v.optional(v.string()),
  platform: v.optional(v.picklist(PLATFORMS, `must be one of ${PLATFORMS.join(', ')}`)),
  chassis: v.optional(v.pipe(v.string(), v.regex(/^[0-9]{4}(XM)?$/, 'must be a chassis model such as 3640 or 2621XM'))),
  image: v.optional(Name),
  image_md5sum: v.optional(v.nullable(v.string())),
  startup_config_content: v.optional(v.string()),
  private_config_content: v.optional(v.string()),
  ram: v.optional(Int),
  nvram: v.optional(v.pipe(Int, v.minValue(1))),
  mmap: v.optional(v.boolean()),
  sparsemem: v.optional(v.boolean()),
  clock_divisor: v.optional(v.pipe(Int, v.minValue(1))),
  idlepc: v.optional(IdlePc),
  idlemax: v.optional(NonNegative),
  idlesleep: v.optional(NonNegative),
  exec_area: v.optional(v.pipe(Int, v.minValue(1))),
  disk0: v.optional(NonNegative),
  disk1: v.optional(NonNegative),
  auto_delete_disks: v.optional(v.boolean()),
  console: v.optional(v.nullable(Port)),
  console_type: v.optional(v.picklist(['telnet', 'none'])),
  aux: v.optional(v.nullable(Port)),
  mac_addr: v.optional(MacAddr),
  system_id: v.optional(Name),
  slot0: Slot, slot1: Slot, slot2: Slot, slot3: Slot, slot4: Slot, slot5: Slot, slot6: Slot,
  wic0: Slot, wic1: Slot, wic2: Slot,
  npe: v.optional(v.picklist(NPES, `must be one of ${NPES.join(', ')}`)),
  midplane: v.optional(v.picklist(['std', 'vxr'])),
  sensors: v.optional(v.pipe(v.array(Int), v.maxLength(4))),
  power_supplies: v.optional(v.pipe(v.array(v.picklist([0, 1])), v.maxLength(2))),
  iomem: v.optional(v.pipe(Int, v.minValue(0), v.maxValue(100))),
};

export const DynamipsCreate = v.strictObject({
  ...settings,
  name: Name,
  // Legacy 1.x projects send integer ids; GNS3 replaces them with a fresh UUID.
  node_id: v.optional(v.union([Uuid, Int])),
  dynamips_id: v.optional(v.nullable(v.pipe(Int, v.minValue(1), v.maxValue(4096)))),
  platform: v.picklist(PLATFORMS, `must be one of ${PLATFORMS.join(', ')}`),
  image: Name,
  ram: Int,
});
export type DynamipsCreate = v.InferOutput<typeof DynamipsCreate>;

export const DynamipsUpdate = v.strictObject({
  ...settings,
  name: v.optional(Name),
  dynamips_id: v.optional(v.pipe(Int, v.minValue(1), v.maxValue(4096))),
  // What GET returns, so a controller can send a node's JSON back unchanged.
  node_id: v.optional(Uuid),
  project_id: v.optional(Uuid),
  node_directory: v.optional(v.nullable(v.string())),
  status: v.optional(v.picklist(['started', 'stopped', 'suspended'])),
});
export type DynamipsUpdate = v.InferOutput<typeof DynamipsUpdate>;
