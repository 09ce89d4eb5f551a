/** QEMU node bodies (GNS3 QEMU_CREATE_SCHEMA / QEMU_UPDATE_SCHEMA); defaults are the ones GNS3's node class applies. */
import * as v from 'valibot';
import { ConsoleType, Name, Port, Uuid } from '../schemas.ts';

export const QEMU_PLATFORMS = [
  'aarch64', 'alpha', 'arm', 'cris', 'i386', 'lm32', 'm68k', 'microblaze', 'microblazeel', 'mips', 'mips64',
  'mips64el', 'mipsel', 'moxie', 'or32', 'ppc', 'ppc64', 'ppcemb', 's390x', 'sh4', 'sh4eb', 'sparc', 'sparc64',
  'tricore', 'unicore32', 'x86_64', 'xtensa', 'xtensaeb',
] as const;

export const DRIVES = ['hda', 'hdb', 'hdc', 'hdd'] as const;
export type Drive = (typeof DRIVES)[number];

const MAC_PATTERN = /^([0-9a-fA-F]{2}:){5}[0-9a-fA-F]{2}$/;
const Mac = v.pipe(v.string(), v.regex(MAC_PATTERN, 'must be a MAC address such as 0c:12:34:56:00:00'));
const Md5 = v.optional(v.nullable(v.string()));
const int = (min: number, max: number) => v.pipe(v.number(), v.integer(), v.minValue(min), v.maxValue(max));

export const BootPriority = v.picklist(['c', 'd', 'n', 'cn', 'cd', 'dn', 'dc', 'nc', 'nd']);
export const OnClose = v.picklist(['power_off', 'shutdown_signal', 'save_vm_state']);
export const ProcessPriority = v.picklist(['realtime', 'very high', 'high', 'normal', 'low', 'very low', 'null']);
export type ProcessPriority = v.InferOutput<typeof ProcessPriority>;

export const CustomAdapter = v.strictObject({
  adapter_number: v.pipe(v.number(), v.integer(), v.minValue(0)),
  port_name: v.optional(v.string()),
  adapter_type: v.optional(v.string()),
  mac_address: v.optional(Mac),
});
export type CustomAdapter = v.InferOutput<typeof CustomAdapter>;

/** Settings shared by create and update; all optional, defaults are applied by the node at creation. */
const settings = {
  usage: v.optional(v.string()),
  linked_clone: v.optional(v.boolean()),
  qemu_path: v.optional(v.nullable(v.pipe(v.string(), v.minLength(1, 'must not be empty')))),
  // GNS3 also accepts "" and the string "null" here (templates store them).
  platform: v.optional(v.picklist([...QEMU_PLATFORMS, '', 'null'])),
  console: v.optional(v.nullable(Port)),
  console_type: v.optional(ConsoleType),
  // Accepted for round trips of newer GNS3 templates; the auxiliary console is not served.
  aux: v.optional(v.nullable(Port)),
  aux_type: v.optional(v.nullable(v.string())),
  hda_disk_image: v.optional(v.string()),
  hdb_disk_image: v.optional(v.string()),
  hdc_disk_image: v.optional(v.string()),
  hdd_disk_image: v.optional(v.string()),
  hda_disk_interface: v.optional(v.string()),
  hdb_disk_interface: v.optional(v.string()),
  hdc_disk_interface: v.optional(v.string()),
  hdd_disk_interface: v.optional(v.string()),
  hda_disk_image_md5sum: Md5,
  hdb_disk_image_md5sum: Md5,
  hdc_disk_image_md5sum: Md5,
  hdd_disk_image_md5sum: Md5,
  cdrom_image: v.optional(v.string()),
  cdrom_image_md5sum: Md5,
  bios_image: v.optional(v.string()),
  bios_image_md5sum: Md5,
  boot_priority: v.optional(BootPriority),
  ram: v.optional(v.nullable(int(1, 4 * 1024 * 1024))),
  cpus: v.optional(v.nullable(int(1, 255))),
  maxcpus: v.optional(v.nullable(int(1, 255))),
  adapters: v.optional(v.nullable(int(0, 275))),
  adapter_type: v.optional(v.nullable(v.pipe(v.string(), v.minLength(1, 'must not be empty')))),
  mac_address: v.optional(v.nullable(Mac)),
  initrd: v.optional(v.string()),
  initrd_md5sum: Md5,
  kernel_image: v.optional(v.string()),
  kernel_image_md5sum: Md5,
  kernel_command_line: v.optional(v.nullable(v.string())),
  legacy_networking: v.optional(v.nullable(v.boolean())),
  replicate_network_connection_state: v.optional(v.nullable(v.boolean())),
  create_config_disk: v.optional(v.nullable(v.boolean())),
  tpm: v.optional(v.nullable(v.boolean())),
  uefi: v.optional(v.nullable(v.boolean())),
  on_close: v.optional(OnClose),
  save_vm_state: v.optional(v.nullable(v.boolean())),
  cpu_throttling: v.optional(v.nullable(int(0, 800))),
  process_priority: v.optional(ProcessPriority),
  options: v.optional(v.nullable(v.string())),
  custom_adapters: v.optional(v.array(CustomAdapter)),
  first_port_name: v.optional(v.nullable(v.string())),
  port_name_format: v.optional(v.string()),
  port_segment_size: v.optional(v.pipe(v.number(), v.integer(), v.minValue(0))),
  // Read-only keys of our node JSON: a controller echoes every GET key back on PUT, so they are accepted and ignored.
  node_directory: v.optional(v.string()),
  status: v.optional(v.string()),
  command_line: v.optional(v.string()),
  process_stats: v.optional(v.unknown()),
};

export const QemuCreate = v.strictObject({
  name: Name,
  // Legacy 1.x projects send integer ids; GNS3 replaces them with a fresh UUID.
  node_id: v.optional(v.union([Uuid, v.pipe(v.number(), v.integer())])),
  ...settings,
});
export type QemuCreate = v.InferOutput<typeof QemuCreate>;

export const QemuUpdate = v.strictObject({
  name: v.optional(v.nullable(Name)),
  ...settings,
});
export type QemuUpdate = v.InferOutput<typeof QemuUpdate>;

// ------------------------------------------------------------------ disk images (`/qemu/img`, `resize_disk`)

const OnOff = v.picklist(['on', 'off']);
const Megabytes = v.pipe(v.number(), v.integer(), v.minValue(1, 'must be at least 1 (MB)'), v.maxValue(1024 * 1024 * 1024, 'is too large'));

/**
 * `qemu-img` formats GNS3 accepts for image creation. `vpc` is qemu-img's name for VHD; `vhd` is taken as an alias.
 */
export const IMAGE_FORMATS = ['qcow2', 'qcow', 'vpc', 'vhd', 'vdi', 'vmdk', 'raw'] as const;

/** `POST /qemu/img` (GNS3 QEMU_IMAGE_CREATE_SCHEMA); format-specific options are passed only where the format has them. */
export const QemuImageCreate = v.strictObject({
  // Mandatory in GNS3; optional here (qemu-img from PATH). Only a binary named qemu-img is ever run.
  qemu_img: v.optional(v.pipe(v.string(), v.minLength(1, 'must not be empty'))),
  path: v.pipe(v.string(), v.minLength(1, 'must not be empty')),
  format: v.picklist(IMAGE_FORMATS),
  size: Megabytes,
  preallocation: v.optional(v.picklist(['off', 'metadata', 'falloc', 'full'])),
  cluster_size: v.optional(v.pipe(v.number(), v.integer(), v.minValue(1))),
  refcount_bits: v.optional(v.pipe(v.number(), v.integer(), v.minValue(1))),
  lazy_refcounts: v.optional(OnOff),
  subformat: v.optional(v.picklist([
    'dynamic', 'fixed', 'streamOptimized', 'twoGbMaxExtentSparse', 'twoGbMaxExtentFlat', 'monolithicSparse', 'monolithicFlat',
  ])),
  static: v.optional(OnOff),
  zeroed_grain: v.optional(OnOff),
  adapter_type: v.optional(v.picklist(['ide', 'lsilogic', 'buslogic', 'legacyESX'])),
});
export type QemuImageCreate = v.InferOutput<typeof QemuImageCreate>;

/**
 * `POST .../qemu/nodes/{node_id}/disk_image/{disk_name}` (3.0): a blank disk in the node's folder, named by the URL,
 * made with qemu-img from PATH; unknown keys are dropped as 3.0 does.
 */
export const QemuDiskImageCreate = v.object(v.omit(QemuImageCreate, ['qemu_img', 'path']).entries);
/** `PUT .../disk_image/{disk_name}` (3.0): without `extend` nothing is changed. */
export const QemuDiskImageUpdate = v.object({ extend: v.optional(Megabytes) });

/** `PUT /qemu/img` (GNS3 QEMU_IMAGE_UPDATE_SCHEMA): without `extend` nothing is changed. */
export const QemuImageUpdate = v.strictObject({
  qemu_img: v.optional(v.pipe(v.string(), v.minLength(1, 'must not be empty'))),
  path: v.pipe(v.string(), v.minLength(1, 'must not be empty')),
  extend: v.optional(Megabytes),
});
export type QemuImageUpdate = v.InferOutput<typeof QemuImageUpdate>;

/** `POST .../qemu/nodes/{node_id}/resize_disk` (GNS3 QEMU_RESIZE_SCHEMA), also validated by the controller. */
export const QemuResizeDisk = v.strictObject({
  drive_name: v.picklist(DRIVES),
  extend: Megabytes,
});
export type QemuResizeDisk = v.InferOutput<typeof QemuResizeDisk>;
