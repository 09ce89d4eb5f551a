/** Builds the QEMU argument vector from resolved node settings (pure: no I/O), in the order GNS3 uses. */
import type { Tunnel } from '../emulator-node.ts';

export type DiskSpec = { index: number; file: string; interface: string; format?: string };
export type NicSpec = { mac: string; model: string; tunnel: Tunnel };
export type ConsoleSpec =
  | { type: 'telnet'; internalPort: number }
  | { type: 'vnc' | 'spice' | 'spice+agent'; host: string; port: number }
  | { type: 'none' };

export type CommandSpec = {
  qemuPath: string;
  version: string;
  platform: string;
  name: string;
  nodeId: string;
  ram: number;
  cpus: number;
  maxcpus: number | null;
  kvm: boolean;
  bootPriority: string;
  bios: string | null;
  /** UEFI firmware (read-only code) and the node's own copy of the variable store. */
  uefi: { code: string; vars: string } | null;
  cdrom: string | null;
  disks: DiskSpec[];
  initrd: string | null;
  kernel: string | null;
  kernelCommandLine: string;
  console: ConsoleSpec;
  monitorPort: number;
  nics: NicSpec[];
  loadvm: boolean;
  tpmSocket: string | null;
  userOptions: string[];
};

/** Numeric comparison of dotted versions: `versionAtLeast('7.2.22', '2.4')` is true. */
export function versionAtLeast(version: string, minimum: string): boolean {
  const a = version.split('.').map(Number);
  const b = minimum.split('.').map(Number);
  for (let i = 0; i < Math.max(a.length, b.length); i++) {
    const x = a[i] ?? 0;
    const y = b[i] ?? 0;
    if (x !== y) return x > y;
  }
  return true;
}

/** QEMU option values escape a literal comma by doubling it. */
const escapeComma = (value: string) => value.replaceAll(',', ',,');

/** MAC address of adapter `offset`: the node's base MAC plus the offset, as a 48-bit number. */
export function macPlus(base: string, offset: number): string {
  const value = (BigInt(`0x${base.replaceAll(':', '')}`) + BigInt(offset)) & 0xffffffffffffn;
  return value.toString(16).padStart(12, '0').match(/../g)!.join(':');
}

/** GNS3's default MAC for a node: `0c:` + three bytes of the node UUID (characters 2–7) + `:00:00`. */
export function defaultMac(nodeId: string): string {
  const hex = nodeId.replaceAll('-', '');
  return `0c:${hex.slice(2, 4)}:${hex.slice(4, 6)}:${hex.slice(6, 8)}:00:00`;
}

function diskArgs({ index, file, interface: iface, format }: DiskSpec, version: string): string[] {
  const drive = `file=${escapeComma(file)}${format ? `,format=${format}` : ''}`;
  const id = `drive${index}`;
  const detached = ['-drive', `${drive},if=none,index=${index},media=disk,id=${id}`];
  switch (iface) {
    case 'sata':
      return [
        '-device', `ahci,id=ahci${index}`,
        ...detached,
        '-device', `${versionAtLeast(version, '4.2') ? 'ide-hd' : 'ide-drive'},drive=${id},bus=ahci${index}.0,id=${id}`,
      ];
    case 'nvme':
      return [...detached, '-device', `nvme,drive=${id},serial=${index}`];
    case 'scsi':
      return ['-device', `virtio-scsi-pci,id=scsi${index}`, ...detached, '-device', `scsi-hd,drive=${id}`];
    default:
      return ['-drive', `${drive},if=${iface},index=${index},media=disk,id=${id}`];
  }
}

/** PCI slots of the root bus that are taken before any NIC (host bridge, ISA/IDE, VGA, ... as GNS3 counts them). */
const BUILTIN_PCI_DEVICES = 4;
const ROOT_SLOTS = 32;
const BRIDGE_SLOTS = 31;

function nicArgs(spec: CommandSpec): string[] {
  const args = ['-net', 'none'];
  const diskDevices = spec.disks.filter((d) => d.interface !== 'ide' && d.interface !== 'none').length;
  const free = ROOT_SLOTS - BUILTIN_PCI_DEVICES - diskDevices;
  // Each bridge takes a root slot too; add bridges until every NIC has a slot.
  let bridges = 0;
  while (spec.nics.length > free - bridges + BRIDGE_SLOTS * bridges) bridges++;
  for (let k = 1; k <= bridges; k++) {
    args.push(
      '-device', `i82801b11-bridge,id=dmi_pci_bridge${k}`,
      '-device', `pci-bridge,id=pci-bridge${k},bus=dmi_pci_bridge${k},chassis_nr=${k},addr=0x${k.toString(16)},shpc=off`,
    );
  }
  const onRoot = free - bridges;
  spec.nics.forEach((nic, n) => {
    let device = `${nic.model},mac=${nic.mac},netdev=gns3-${n}`;
    if (nic.model === 'virtio-net-pci' && versionAtLeast(spec.version, '2.12')) device += ',speed=10000,duplex=full';
    if (n >= onRoot) {
      const j = n - onRoot;
      device += `,bus=pci-bridge${Math.floor(j / BRIDGE_SLOTS) + 1},addr=0x${((j % BRIDGE_SLOTS) + 1).toString(16)}`;
    }
    args.push(
      '-device', device,
      '-netdev', `socket,id=gns3-${n},udp=127.0.0.1:${nic.tunnel.relayPort},localaddr=127.0.0.1:${nic.tunnel.emulatorPort}`,
    );
  });
  return args;
}

function consoleArgs(console: ConsoleSpec): string[] {
  switch (console.type) {
    case 'telnet':
      return ['-serial', `telnet:127.0.0.1:${console.internalPort},server,nowait`];
    case 'vnc':
      return ['-vnc', `${console.host}:${console.port - 5900}`];
    case 'spice':
      return ['-spice', `addr=${console.host},port=${console.port},disable-ticketing`, '-vga', 'qxl'];
    case 'spice+agent':
      return [
        '-spice', `addr=${console.host},port=${console.port},disable-ticketing`, '-vga', 'qxl',
        '-device', 'virtio-serial',
        '-chardev', 'spicevmc,id=vdagent,debug=0,name=vdagent',
        '-device', 'virtserialport,chardev=vdagent,name=com.redhat.spice.0',
      ];
    case 'none':
      return [];
  }
}

const DISPLAY_OPTIONS = ['-display', '-nographic', '-vnc', '-sdl', '-curses', '-spice'];

/** The full argument vector; element 0 is the binary. */
export function buildCommandLine(spec: CommandSpec): string[] {
  const args = [spec.qemuPath, '-name', escapeComma(spec.name), '-m', `${spec.ram}M`];
  const maxcpus = spec.maxcpus && spec.maxcpus > spec.cpus ? `,maxcpus=${spec.maxcpus}` : '';
  args.push('-smp', `cpus=${spec.cpus}${maxcpus},sockets=1`);
  if (spec.kvm) {
    args.push('-enable-kvm');
    if (spec.platform === 'x86_64' && versionAtLeast(spec.version, '2.4')) args.push('-machine', 'smm=off');
  }
  args.push('-boot', `order=${spec.bootPriority}`);
  if (spec.uefi) {
    args.push(
      '-drive', `if=pflash,format=raw,readonly=on,file=${escapeComma(spec.uefi.code)}`,
      '-drive', `if=pflash,format=raw,file=${escapeComma(spec.uefi.vars)}`,
    );
  } else if (spec.bios) {
    args.push('-bios', spec.bios);
  }
  if (spec.cdrom) args.push('-cdrom', spec.cdrom);
  for (const disk of spec.disks) args.push(...diskArgs(disk, spec.version));
  if (spec.initrd) args.push('-initrd', spec.initrd);
  if (spec.kernel) args.push('-kernel', spec.kernel);
  if (spec.kernelCommandLine) args.push('-append', spec.kernelCommandLine);
  if (!spec.userOptions.includes('-uuid')) args.push('-uuid', spec.nodeId);
  args.push(...consoleArgs(spec.console));
  args.push('-monitor', `tcp:127.0.0.1:${spec.monitorPort},server,nowait`);
  args.push(...nicArgs(spec));
  if (spec.loadvm) args.push('-loadvm', 'GNS3_SAVED_STATE');
  if (spec.console.type === 'telnet' && !spec.userOptions.some((o) => DISPLAY_OPTIONS.includes(o))) {
    args.push('-display', 'none');
  }
  if (spec.tpmSocket) {
    args.push(
      '-chardev', `socket,id=chrtpm,path=${escapeComma(spec.tpmSocket)}`,
      '-tpmdev', 'emulator,id=tpm0,chardev=chrtpm',
      '-device', 'tpm-tis,tpmdev=tpm0',
    );
  }
  args.push(...spec.userOptions);
  if (spec.console.type === 'vnc') args.push('-machine', 'usb=on', '-device', 'usb-tablet');
  return args;
}
