/** A QEMU node's settings as GNS3 names them, their defaults, and the image-valued keys. */
import type { CustomAdapter, ProcessPriority } from './schemas.ts';

/** Settings holding an image file name; each has an `<key>_md5sum` twin in the node JSON. */
export const IMAGE_KEYS = [
  'hda_disk_image', 'hdb_disk_image', 'hdc_disk_image', 'hdd_disk_image', 'cdrom_image', 'bios_image', 'initrd', 'kernel_image',
] as const;
export type ImageKey = (typeof IMAGE_KEYS)[number];

export const md5Key = (key: ImageKey) => `${key}_md5sum`;

export type QemuSettings = {
  usage: string;
  linked_clone: boolean;
  qemu_path: string;
  platform: string;
  console_type: 'telnet' | 'vnc' | 'spice' | 'spice+agent' | 'none';
  hda_disk_interface: string;
  hdb_disk_interface: string;
  hdc_disk_interface: string;
  hdd_disk_interface: string;
  boot_priority: string;
  ram: number;
  cpus: number;
  maxcpus: number | null;
  adapters: number;
  adapter_type: string;
  mac_address: string;
  kernel_command_line: string;
  legacy_networking: boolean;
  replicate_network_connection_state: boolean;
  create_config_disk: boolean;
  tpm: boolean;
  uefi: boolean;
  on_close: 'power_off' | 'shutdown_signal' | 'save_vm_state';
  cpu_throttling: number;
  process_priority: ProcessPriority;
  options: string;
  custom_adapters: CustomAdapter[];
};

export const defaultSettings = (mac: string): QemuSettings => ({
  usage: '',
  linked_clone: true,
  qemu_path: '',
  platform: '',
  console_type: 'telnet',
  hda_disk_interface: 'none',
  hdb_disk_interface: 'none',
  hdc_disk_interface: 'none',
  hdd_disk_interface: 'none',
  boot_priority: 'c',
  ram: 256,
  cpus: 1,
  maxcpus: null,
  adapters: 1,
  adapter_type: 'e1000',
  mac_address: mac,
  kernel_command_line: '',
  legacy_networking: false,
  replicate_network_connection_state: true,
  create_config_disk: false,
  tpm: false,
  uefi: false,
  on_close: 'power_off',
  cpu_throttling: 0,
  process_priority: 'low',
  options: '',
  custom_adapters: [],
});

/** An image setting once resolved: what the JSON shows, the file on disk, and its md5 (null when unset or empty). */
export type ImageSetting = { name: string; path: string | null; md5sum: string | null };
