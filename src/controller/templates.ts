/** Templates: GNS3's built-in set (same ids and fields) and the per-type defaults and key sets for user templates. */
import * as v from 'valibot';
import { PLATFORMS, type Platform } from '../compute/dynamips/platforms.ts';
import { fail } from '../errors/index.ts';

export type Template = Record<string, unknown> & {
  template_id: string;
  template_type: string;
  name: string;
  compute_id: string | null;
  builtin: boolean;
};

export const TEMPLATE_TYPES = [
  'cloud', 'nat', 'ethernet_hub', 'ethernet_switch', 'docker', 'dynamips', 'vpcs', 'traceng', 'virtualbox', 'vmware', 'iou', 'qemu',
] as const;

export const NODE_TYPES = [
  'cloud', 'nat', 'ethernet_hub', 'ethernet_switch', 'frame_relay_switch', 'atm_switch', 'docker', 'dynamips', 'vpcs', 'traceng',
  'virtualbox', 'vmware', 'iou', 'qemu',
] as const;

/** The built-ins, in the order `GET /v2/templates` lists them (ids are UUIDv3(DNS, type) upstream). */
export const BUILTIN_TEMPLATES: readonly Template[] = [
  { template_id: '39e257dc-8412-3174-b6b3-0ee3ed6a43e9', template_type: 'cloud', name: 'Cloud', default_name_format: 'Cloud{0}', category: 'guest', symbol: ':/symbols/cloud.svg', compute_id: null, builtin: true },
  { template_id: 'df8f4ea9-33b7-3e96-86a2-c39bc9bb649c', template_type: 'nat', name: 'NAT', default_name_format: 'NAT{0}', category: 'guest', symbol: ':/symbols/cloud.svg', compute_id: null, builtin: true },
  { template_id: '19021f99-e36f-394d-b4a1-8aaa902ab9cc', template_type: 'vpcs', name: 'VPCS', default_name_format: 'PC{0}', category: 'guest', symbol: ':/symbols/vpcs_guest.svg', properties: { base_script_file: 'vpcs_base_config.txt' }, compute_id: null, builtin: true },
  { template_id: '1966b864-93e7-32d5-965f-001384eec461', template_type: 'ethernet_switch', name: 'Ethernet switch', default_name_format: 'Switch{0}', category: 'switch', symbol: ':/symbols/ethernet_switch.svg', console_type: 'none', compute_id: null, builtin: true },
  { template_id: 'b4503ea9-d6b6-3695-9fe4-1db3b39290b0', template_type: 'ethernet_hub', name: 'Ethernet hub', default_name_format: 'Hub{0}', category: 'switch', symbol: ':/symbols/hub.svg', compute_id: null, builtin: true },
  { template_id: 'dd0f6f3a-ba58-3249-81cb-a1dd88407a47', template_type: 'frame_relay_switch', name: 'Frame Relay switch', default_name_format: 'FRSW{0}', category: 'switch', symbol: ':/symbols/frame_relay_switch.svg', compute_id: null, builtin: true },
  { template_id: 'aaa764e2-b383-300f-8a0e-3493bbfdb7d2', template_type: 'atm_switch', name: 'ATM switch', default_name_format: 'ATMSW{0}', category: 'switch', symbol: ':/symbols/atm_switch.svg', compute_id: null, builtin: true },
];

const ethernetMapping = (switchPorts: boolean) =>
  Array.from({ length: 8 }, (_, n) =>
    switchPorts ? { name: `Ethernet${n}`, port_number: n, type: 'access', vlan: 1, ethertype: '' } : { name: `Ethernet${n}`, port_number: n },
  );

const guest = (symbol: string, format = '{name}-{0}') => ({ category: 'guest', symbol: `:/symbols/${symbol}.svg`, default_name_format: format });

/** Defaults GNS3 fills in when a user template of each type is created. */
const TYPE_DEFAULTS: Record<string, () => Record<string, unknown>> = {
  vpcs: () => ({ base_script_file: 'vpcs_base_config.txt', console_type: 'telnet', console_auto_start: false, ...guest('vpcs_guest', 'PC{0}') }),
  traceng: () => ({ console_type: 'none', ...guest('traceng', 'TraceNG{0}') }),
  ethernet_switch: () => ({ ports_mapping: ethernetMapping(true), console_type: 'none', category: 'switch', symbol: ':/symbols/ethernet_switch.svg', default_name_format: 'Switch{0}' }),
  ethernet_hub: () => ({ ports_mapping: ethernetMapping(false), category: 'switch', symbol: ':/symbols/hub.svg', default_name_format: 'Hub{0}' }),
  cloud: () => ({
    ports_mapping: [], remote_console_host: '127.0.0.1', remote_console_port: 23, remote_console_type: 'none', remote_console_http_path: '/',
    ...guest('cloud', 'Cloud{0}'),
  }),
  nat: () => ({ ports_mapping: [], ...guest('cloud', 'NAT{0}') }),
  docker: () => ({
    adapters: 1, start_command: '', environment: '', console_type: 'telnet', console_auto_start: false, console_http_port: 80,
    console_http_path: '/', console_resolution: '1024x768', extra_hosts: '', extra_volumes: [], custom_adapters: [], mac_address: '', usage: '',
    ...guest('docker_guest'),
  }),
  qemu: () => ({
    qemu_path: '', platform: '', linked_clone: true, ram: 256, cpus: 1, adapters: 1, adapter_type: 'e1000', mac_address: '', first_port_name: '',
    port_name_format: 'Ethernet{0}', port_segment_size: 0, console_type: 'telnet', console_auto_start: false, boot_priority: 'c',
    hda_disk_image: '', hdb_disk_image: '', hdc_disk_image: '', hdd_disk_image: '', hda_disk_interface: 'none', hdb_disk_interface: 'none',
    hdc_disk_interface: 'none', hdd_disk_interface: 'none', cdrom_image: '', initrd: '', kernel_image: '', bios_image: '', kernel_command_line: '',
    legacy_networking: false, replicate_network_connection_state: true, tpm: false, uefi: false, create_config_disk: false, on_close: 'power_off',
    cpu_throttling: 0, process_priority: 'normal', options: '', custom_adapters: [], usage: '',
    ...guest('qemu_guest'),
  }),
  virtualbox: () => ({
    ram: 256, linked_clone: false, adapters: 1, use_any_adapter: false, adapter_type: 'Intel PRO/1000 MT Desktop (82540EM)', first_port_name: '',
    port_name_format: 'Ethernet{0}', port_segment_size: 0, headless: false, on_close: 'power_off', console_type: 'none', console_auto_start: false,
    custom_adapters: [], usage: '', ...guest('vbox_guest'),
  }),
  vmware: () => ({
    linked_clone: false, adapters: 1, adapter_type: 'e1000', use_any_adapter: false, first_port_name: '', port_name_format: 'Ethernet{0}',
    port_segment_size: 0, headless: false, on_close: 'power_off', console_type: 'none', console_auto_start: false, custom_adapters: [], usage: '',
    ...guest('vmware_guest'),
  }),
  iou: () => ({
    ethernet_adapters: 2, serial_adapters: 2, ram: 1024, nvram: 256, use_default_iou_values: false, startup_config: 'iou_l3_base_startup-config.txt',
    private_config: '', l1_keepalives: false, console_type: 'telnet', console_auto_start: false, usage: '',
    category: 'router', symbol: ':/symbols/multilayer_switch.svg', default_name_format: 'IOU{0}',
  }),
  dynamips: () => ({
    mmap: true, exec_area: 64, mac_addr: '', system_id: 'FTX0945W0MY', startup_config: 'ios_base_startup-config.txt', private_config: '',
    idlepc: '', idlemax: 500, idlesleep: 30, disk0: 0, disk1: 0, auto_delete_disks: false, console_type: 'telnet', console_auto_start: false,
    usage: '', category: 'router', symbol: ':/symbols/router.svg', default_name_format: 'R{0}',
  }),
};

/** GNS3 2.2's per-platform Dynamips template defaults (its C7200_…C1700_DYNAMIPS_TEMPLATE schemas). */
const DYNAMIPS_PLATFORM_DEFAULTS: Record<Platform, Record<string, unknown>> = {
  c7200: { ram: 512, nvram: 512, npe: 'npe-400', midplane: 'vxr', sparsemem: true },
  c3745: { ram: 256, nvram: 256, iomem: 5, sparsemem: true },
  c3725: { ram: 128, nvram: 256, iomem: 5, sparsemem: true },
  c3600: { chassis: '3660', ram: 192, nvram: 128, iomem: 5, sparsemem: true },
  c2691: { ram: 192, nvram: 256, iomem: 5, sparsemem: true },
  c2600: { chassis: '2651XM', ram: 160, nvram: 128, iomem: 15, sparsemem: true },
  c1700: { chassis: '1760', ram: 160, nvram: 128, iomem: 15, sparsemem: false },
};

/** Keys a type accepts beyond its defaults (required or optional settings without a default). */
const TYPE_EXTRA_KEYS: Record<string, string[]> = {
  // privileged: patchbay's opt-in for GNS3's all-capabilities containers.
  docker: ['image', 'privileged'],
  dynamips: ['platform', 'image', 'ram', 'nvram', 'chassis', 'midplane', 'npe', 'iomem', 'sparsemem', 'power_supplies', 'sensors', 'auto_delete_disks',
    'slot0', 'slot1', 'slot2', 'slot3', 'slot4', 'slot5', 'slot6', 'wic0', 'wic1', 'wic2'],
  iou: ['path'],
  virtualbox: ['vmname'],
  vmware: ['vmx_path'],
  qemu: ['hda_disk_image_md5sum', 'console_auto_start', 'aux_type'],
};

const REQUIRED_KEYS: Record<string, string[]> = { docker: ['image'], dynamips: ['platform', 'image'], iou: ['path'], virtualbox: ['vmname'], vmware: ['vmx_path'] };

const COMMON_KEYS = ['template_id', 'template_type', 'name', 'compute_id', 'default_name_format', 'symbol', 'category', 'builtin', 'usage'];
const CATEGORIES = ['router', 'switch', 'guest', 'firewall'];

const baseSchema = v.looseObject({
  name: v.pipe(v.string(), v.minLength(1)),
  template_type: v.picklist(TEMPLATE_TYPES),
  compute_id: v.nullable(v.string()),
  template_id: v.optional(v.pipe(v.string(), v.uuid())),
  category: v.optional(v.union([v.picklist(CATEGORIES), v.pipe(v.number(), v.integer(), v.minValue(0), v.maxValue(3))])),
});

/** Every key a user template of `type` may carry (the v3 API drops the others instead of refusing them). */
export function templateKeys(type: string): Set<string> {
  return new Set([...COMMON_KEYS, ...Object.keys(TYPE_DEFAULTS[type]?.() ?? {}), ...(TYPE_EXTRA_KEYS[type] ?? [])]);
}

/**
 * Validates a user template and fills GNS3's defaults; unknown keys are refused per type as GNS3's type schemas do.
 * @example createTemplate({ name: 'MyVPCS', template_type: 'vpcs', compute_id: 'local' }, crypto.randomUUID())
 */
export function createTemplate(input: Record<string, unknown>, newId: string): Template {
  const legacy = { ...input };
  if ('node_type' in legacy && !('template_type' in legacy)) legacy.template_type = legacy.node_type;
  if ('server' in legacy && !('compute_id' in legacy)) legacy.compute_id = legacy.server;
  if ('linked_base' in legacy && !('linked_clone' in legacy)) legacy.linked_clone = legacy.linked_base;
  for (const key of ['node_type', 'server', 'linked_base']) delete legacy[key];

  const result = v.safeParse(baseSchema, legacy);
  if (!result.success) {
    const issue = result.issues[0];
    throw fail('TEMPLATE_INVALID', JSON.stringify(input), `${v.getDotPath(issue) ?? ''} ${issue.message}`);
  }
  const type = result.output.template_type;
  const defaults = TYPE_DEFAULTS[type]();
  const allowed = templateKeys(type);
  for (const key of Object.keys(legacy)) {
    if (!allowed.has(key)) {
      throw fail('TEMPLATE_INVALID', JSON.stringify(input), `Additional properties are not allowed ('${key}' was unexpected)`);
    }
  }
  for (const key of REQUIRED_KEYS[type] ?? []) {
    if (!(key in legacy)) throw fail('TEMPLATE_INVALID', JSON.stringify(input), `'${key}' is a required property`);
  }
  if (type === 'dynamips') {
    // GNS3 picks the template schema (and so the defaults) by platform.
    if (!(PLATFORMS as readonly unknown[]).includes(legacy.platform)) {
      throw fail('TEMPLATE_INVALID', JSON.stringify(input), `platform ${JSON.stringify(legacy.platform)} is not one of ${PLATFORMS.join(', ')}`);
    }
    Object.assign(defaults, DYNAMIPS_PLATFORM_DEFAULTS[legacy.platform as Platform]);
  }
  if (typeof legacy.category === 'number') legacy.category = CATEGORIES[legacy.category];
  return { ...defaults, ...legacy, template_id: (legacy.template_id as string | undefined) ?? newId, builtin: false } as Template;
}
