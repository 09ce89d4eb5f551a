/**
 * A QEMU node: its settings (GNS3's fields, images, console, adapters), and how they become a QEMU command line at
 * start. The running VM (process, monitor, console, helpers) is a QemuVm (qemu-vm.ts); start, stop and crash handling
 * are EmulatorNode's lifecycle.
 */
import { existsSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import type { Nio } from '../schemas.ts';
import { DRIVES, type Drive, type QemuCreate, type QemuUpdate } from './schemas.ts';
import { EmulatorNode } from '../emulator-node.ts';
import type { NodeInit, PortRef } from '../node.ts';
import type { Supervised } from '../../process/supervised.ts';
import { findQemu, kvmUsable, type QemuBinary } from './binary.ts';
import { buildCommandLine, defaultMac, macPlus, versionAtLeast, type ConsoleSpec, type DiskSpec } from './command-line.ts';
import { growDisk } from './disk-images.ts';
import { findQemuImg, imageInfo, linkedClone, hasSnapshot } from './disks.ts';
import { applyPriority, startCpuLimit } from './host-tuning.ts';
import { md5sum, type ImageStore } from './images.ts';
import { QemuVm, SAVED_STATE, readQemuLog, type VmConsole } from './qemu-vm.ts';
import { forbiddenOption, forcesTcg, normaliseOptions, splitOptions, substitutePlaceholders } from './options.ts';
import { IMAGE_KEYS, defaultSettings, md5Key, type ImageKey, type ImageSetting, type QemuSettings } from './settings.ts';
import { startSwtpm } from './tpm.ts';
import { prepareUefi } from './uefi.ts';
import { fail, type PatchbayError } from '../../errors/index.ts';

export type QemuInit = NodeInit & { images: ImageStore; guestCid: number };

/** GNS3 waits this long for an ACPI shutdown or a savevm before killing the VM. */
const GRACEFUL_STOP_MS = 120_000;
/**
 * During project close and agent shutdown the wait is shorter, so a guest ignoring ACPI cannot hold the agent past
 * its shutdown limit (20 s, of which up to 5 s may go to draining requests).
 */
const CLOSING_STOP_MS = 5000;

/** A started VM and the monitor port the node lent it. */
type QemuRun = { process: Supervised; vm: QemuVm; monitorPort: number };

export class QemuNode extends EmulatorNode<QemuRun> {
  readonly type = 'qemu';
  readonly module = 'qemu';
  protected readonly emulatorName = 'QEMU';
  protected override readonly stopGraceMs = GRACEFUL_STOP_MS;
  protected override readonly closingGraceMs = CLOSING_STOP_MS;
  readonly guestCid: number;
  readonly #images: ImageStore;
  settings: QemuSettings;
  readonly #imageSettings = new Map<ImageKey, ImageSetting>();
  console: number | null = null;
  commandLine = '';
  /** Port the QEMU serial telnet server listens on (127.0.0.1); the public console fronts it. */
  #internalConsole: number | null = null;
  /** Set by any update: a reload then restarts QEMU instead of resetting the guest (GNS3 behaviour). */
  #settingsChanged = false;

  private constructor(init: QemuInit) {
    super(init);
    this.#images = init.images;
    this.guestCid = init.guestCid;
    this.settings = defaultSettings(defaultMac(init.id));
    for (const key of IMAGE_KEYS) this.#imageSettings.set(key, { name: '', path: null, md5sum: null });
  }

  static async create(init: QemuInit, fields: QemuCreate): Promise<QemuNode> {
    const node = new QemuNode(init);
    try {
      await node.#configure(fields, true);
    } catch (err) {
      init.host.tcpPorts.releaseOwnedBy(node.owner);
      throw err;
    }
    return node;
  }

  // ---------------------------------------------------------------- settings

  /** Applies create/update fields that differ from the current ones; validation errors leave earlier fields applied. */
  async #configure(fields: QemuCreate | QemuUpdate, creating: boolean): Promise<void> {
    const s = this.settings;
    if (creating || fields.qemu_path != null || (fields.platform !== undefined && fields.platform !== s.platform)) {
      await this.#setBinary(fields.qemu_path ?? (creating ? null : s.qemu_path), fields.platform ?? null);
    }
    await this.#setConsole(fields.console_type ?? s.console_type, fields.console, creating);
    if (fields.name != null) this.name = fields.name;
    if (fields.adapters != null && fields.adapters !== s.adapters) this.#setAdapters(fields.adapters);
    if (fields.options != null) {
      const options = normaliseOptions(fields.options);
      let args: string[];
      try {
        args = splitOptions(options);
      } catch (err) {
        throw fail('QEMU_OPTIONS_INVALID', (err as Error).message);
      }
      const forbidden = forbiddenOption(args);
      if (forbidden) throw fail('QEMU_OPTION_FORBIDDEN', forbidden);
      s.options = options;
    }
    if (fields.uefi && (fields.bios_image ?? this.#imageSettings.get('bios_image')!.name)) {
      throw fail('QEMU_BIOS_WITH_UEFI');
    }
    for (const key of IMAGE_KEYS) {
      const value = fields[key];
      if (value !== undefined && value !== this.#imageSettings.get(key)!.name) await this.#setImage(key, value);
    }
    const simple = [
      'usage', 'linked_clone', 'boot_priority', 'ram', 'cpus', 'maxcpus', 'adapter_type', 'mac_address', 'kernel_command_line',
      'legacy_networking', 'replicate_network_connection_state', 'create_config_disk', 'tpm', 'uefi', 'on_close',
      'cpu_throttling', 'process_priority', 'custom_adapters',
      ...DRIVES.map((d) => `${d}_disk_interface` as const),
    ] as const;
    const target = s as Record<string, unknown>;
    for (const key of simple) {
      const value = fields[key];
      // GNS3 templates carry nulls for "unset"; they keep the current value.
      if (value !== undefined && value !== null) target[key] = value;
    }
  }

  async #setBinary(qemuPath: string | null, platform: string | null): Promise<void> {
    const wantedPlatform = platform && platform !== 'null' ? platform : null;
    const binary = await findQemu(qemuPath || null, wantedPlatform, this.host.binaries.qemu);
    this.settings.qemu_path = binary.path;
    this.settings.platform = binary.platform;
  }

  async #setConsole(type: QemuSettings['console_type'], wanted: number | null | undefined, creating: boolean): Promise<void> {
    const s = this.settings;
    const typeChanged = type !== s.console_type;
    const portChanged = wanted != null && wanted !== this.console;
    if (!creating && !typeChanged && !portChanged) return;
    if (!creating && this.run) throw fail('QEMU_CONSOLE_WHILE_RUNNING', this.name);
    const { tcpPorts } = this.host;
    tcpPorts.release(this.console);
    tcpPorts.release(this.#internalConsole);
    this.console = this.#internalConsole = null;
    s.console_type = type;
    if (type === 'none') return;
    const port = wanted ?? undefined;
    if (type === 'vnc') {
      if (port !== undefined && port < 5900) throw fail('QEMU_VNC_PORT_TOO_LOW', port);
      this.console = await this.#vncPort(port);
    } else {
      this.console = port !== undefined ? await tcpPorts.reserve(port, this.owner) : await tcpPorts.allocate(this.owner);
    }
    if (type === 'telnet') this.#internalConsole = await tcpPorts.allocate(this.owner);
  }

  /** A console port usable as a VNC display (≥ 5900): the wanted one if free, else the first free one above 5900. */
  async #vncPort(wanted: number | undefined): Promise<number> {
    const pool = this.host.tcpPorts;
    const first = Math.max(5900, pool.start);
    for (const candidate of [wanted, ...Array.from({ length: pool.end - first + 1 }, (_, i) => first + i)]) {
      if (candidate === undefined || candidate < first || candidate > pool.end || pool.isAllocated(candidate)) continue;
      const got = await pool.reserve(candidate, this.owner);
      if (got === candidate) return got;
      pool.release(got);
    }
    throw fail('QEMU_NO_VNC_PORT', pool.start, pool.end);
  }

  /** Changing the adapter count drops every link, as in GNS3; tunnels are re-allocated at next start. */
  #setAdapters(count: number): void {
    if (this.run) throw fail('QEMU_ADAPTERS_WHILE_RUNNING', this.name);
    for (const nio of this.nios.values()) if (nio.type === 'nio_udp') this.host.udpPorts.release(nio.lport);
    this.nios.clear();
    this.captures.clear();
    this.releaseTunnels();
    this.settings.adapters = count;
  }

  async #setImage(key: ImageKey, name: string): Promise<void> {
    if (name === '') {
      this.#imageSettings.set(key, { name: '', path: null, md5sum: null });
      return;
    }
    const path = await this.#images.resolve(name, this.project.path);
    this.#imageSettings.set(key, { name: this.#images.display(path), path, md5sum: await md5sum(path) });
  }

  async update(fields: QemuUpdate): Promise<void> {
    await this.#configure(fields, false);
    this.#settingsChanged = true;
    this.emitUpdated();
  }

  toJSON() {
    const s = this.settings;
    const images: Record<string, string | null> = {};
    for (const [key, image] of this.#imageSettings) {
      images[key] = image.name;
      images[md5Key(key)] = image.md5sum;
    }
    return {
      project_id: this.project.id,
      node_id: this.id,
      node_directory: this.directory,
      name: this.name,
      usage: s.usage,
      qemu_path: s.qemu_path,
      platform: s.platform,
      console: this.console,
      console_type: s.console_type,
      status: this.status,
      command_line: this.commandLine,
      ...images,
      hda_disk_interface: s.hda_disk_interface,
      hdb_disk_interface: s.hdb_disk_interface,
      hdc_disk_interface: s.hdc_disk_interface,
      hdd_disk_interface: s.hdd_disk_interface,
      boot_priority: s.boot_priority,
      ram: s.ram,
      cpus: s.cpus,
      adapters: s.adapters,
      adapter_type: s.adapter_type,
      mac_address: s.mac_address,
      kernel_command_line: s.kernel_command_line,
      legacy_networking: s.legacy_networking,
      replicate_network_connection_state: s.replicate_network_connection_state,
      create_config_disk: s.create_config_disk,
      on_close: s.on_close,
      cpu_throttling: s.cpu_throttling,
      process_priority: s.process_priority,
      options: s.options,
      tpm: s.tpm,
      uefi: s.uefi,
      // Not a GNS3 field: CPU and memory of the QEMU process while it runs (refreshed every 2 s).
      process_stats: this.run?.vm.stats ?? null,
    };
  }

  // ---------------------------------------------------------------- ports

  protected portKey({ adapter }: PortRef): string {
    // Each QEMU adapter has one port; like GNS3 the port number is ignored.
    if (adapter >= this.settings.adapters) throw fail('QEMU_ADAPTER_MISSING', adapter, this.name);
    return String(adapter);
  }

  protected override connectedKey(ref: PortRef): string {
    const key = this.portKey(ref);
    if (!this.nios.has(key)) throw fail('QEMU_ADAPTER_NOT_CONNECTED', ref.adapter);
    return key;
  }

  protected portKeys(): string[] {
    return Array.from({ length: this.settings.adapters }, (_, n) => String(n));
  }

  protected override async nioChanged(key: string, nio: Nio): Promise<void> {
    await super.nioChanged(key, nio);
    if (nio.type === 'nio_udp') await this.#setLink(key, !nio.suspend);
  }

  protected override async nioRemoved(key: string): Promise<void> {
    await super.nioRemoved(key);
    await this.#setLink(key, false);
  }

  /** Mirrors the link state into the guest NIC (carrier up/down) when the VM runs, if the node asks for it. */
  async #setLink(key: string, up: boolean): Promise<void> {
    if (this.settings.replicate_network_connection_state) await this.run?.vm.setLink(key, up);
  }

  // ---------------------------------------------------------------- lifecycle

  /** Already running: a start resumes a suspended VM, as GNS3 does. */
  override async start(): Promise<void> {
    if (this.run) {
      if (this.status === 'suspended') await this.resume();
      return;
    }
    await super.start();
    this.#settingsChanged = false;
  }

  protected async launch(): Promise<QemuRun> {
    const binary = await findQemu(this.settings.qemu_path || null, this.settings.platform || null, this.host.binaries.qemu);
    this.#checkStartable(binary);
    this.#checkImages();
    const monitorPort = await this.host.tcpPorts.allocate(this.owner);
    const helpers: Supervised[] = [];
    let vm: QemuVm | null = null;
    try {
      const args = await this.#commandLine(binary, monitorPort, helpers);
      this.commandLine = args.map(quoteForDisplay).join(' ');
      if (this.settings.create_config_disk) this.#warn('create_config_disk is not supported by this compute; no config disk attached');
      vm = await QemuVm.spawn(args, { directory: this.directory, commandLine: this.commandLine, monitorPort, helpers, warn: (m) => this.#warn(m) });
      await this.#tune(vm);
      return { process: vm.process, vm, monitorPort };
    } catch (err) {
      if (vm) await vm.halt(0, this.settings.on_close);
      else await Promise.all(helpers.map((helper) => helper.stop()));
      this.host.tcpPorts.release(monitorPort);
      throw err;
    }
  }

  protected override async attach({ vm }: QemuRun, wired: Promise<void>): Promise<void> {
    const linksDown = this.settings.replicate_network_connection_state
      ? this.portKeys().filter((key) => {
        const nio = this.nios.get(key);
        return !nio || nio.type !== 'nio_udp' || nio.suspend;
      })
      : [];
    const console: VmConsole | null = this.settings.console_type === 'telnet'
      ? { host: this.host.consoleHost, port: this.console!, internalPort: this.#internalConsole! }
      : null;
    await vm.attach({ linksDown, console, wired });
  }

  protected async halt({ vm, monitorPort }: QemuRun, graceMs: number): Promise<void> {
    try {
      await vm.halt(graceMs, this.settings.on_close);
    } finally {
      this.host.tcpPorts.release(monitorPort);
    }
  }

  protected logTail(): Promise<string> {
    return readQemuLog(this.directory);
  }

  protected startFailed(reason: string): PatchbayError {
    return fail('QEMU_START_FAILED', this.name, reason);
  }

  #warn(message: string): void {
    this.host.notify('log.warning', { message: `${this.name}: ${message}` }, this.project.id);
  }

  /** QEMU's arguments for the current settings; helper processes it needs (swtpm) are started into `helpers`. */
  async #commandLine(binary: QemuBinary, monitorPort: number, helpers: Supervised[]): Promise<string[]> {
    const userOptions = splitOptions(substitutePlaceholders(this.settings.options, {
      vmName: this.name,
      vmId: this.id,
      projectId: this.project.id,
      projectPath: this.project.path,
      consolePort: this.console,
      guestCid: this.guestCid,
    }));
    const disks = await this.#prepareDisks(binary);
    const tpm = this.settings.tpm ? await startSwtpm(this.directory) : null;
    if (tpm) helpers.push(tpm.process);
    return buildCommandLine({
      qemuPath: binary.path,
      version: binary.version,
      platform: binary.platform,
      name: this.name,
      nodeId: this.id,
      ram: this.settings.ram,
      cpus: this.settings.cpus,
      maxcpus: this.settings.maxcpus,
      kvm: !forcesTcg(userOptions) && !userOptions.includes('-accel') && (await kvmUsable(binary)),
      bootPriority: this.settings.boot_priority,
      bios: this.#imagePath('bios_image'),
      uefi: this.settings.uefi ? await prepareUefi(this.directory) : null,
      cdrom: this.#imagePath('cdrom_image'),
      disks,
      initrd: this.#imagePath('initrd'),
      kernel: this.#imagePath('kernel_image'),
      kernelCommandLine: this.settings.kernel_command_line,
      console: this.#consoleSpec(),
      monitorPort,
      nics: this.#nics(),
      loadvm: await this.#hasSavedState(binary, disks),
      tpmSocket: tpm?.socket ?? null,
      userOptions,
    });
  }

  #checkStartable(binary: QemuBinary): void {
    if (this.settings.legacy_networking && versionAtLeast(binary.version, '2.9')) {
      throw fail('QEMU_LEGACY_NETWORKING', binary.version);
    }
    if (this.settings.uefi && this.#imagePath('bios_image')) throw fail('QEMU_BIOS_WITH_UEFI');
    if (this.#imagePath('cdrom_image') && this.#imagePath('hdc_disk_image')) {
      throw fail('QEMU_HDC_WITH_CDROM');
    }
    if (this.console !== null && this.settings.console_type === 'vnc' && this.console < 5900) {
      throw fail('QEMU_VNC_PORT_TOO_LOW', this.console);
    }
  }

  /** Images may have been deleted since they were set; GNS3 answers that with ImageMissingError too. */
  #checkImages(): void {
    for (const image of this.#imageSettings.values()) {
      if (image.path && !existsSync(image.path)) throw fail('QEMU_IMAGE_MISSING', image.name);
    }
  }

  #imagePath(key: ImageKey): string | null {
    return this.#imageSettings.get(key)!.path;
  }

  /** The disk files QEMU opens: linked-clone overlays in the node directory, or the images themselves. */
  async #prepareDisks(binary: QemuBinary): Promise<DiskSpec[]> {
    const disks: DiskSpec[] = [];
    let qemuImg: string | null = null;
    for (const [index, drive] of DRIVES.entries()) {
      const image = this.#imagePath(`${drive}_disk_image`);
      if (!image) continue;
      qemuImg ??= await findQemuImg(binary.path);
      const log = join(this.directory, 'qemu-img.log');
      const iface = this.settings[`${drive}_disk_interface`];
      if (this.settings.linked_clone) {
        disks.push({ index, file: await linkedClone(qemuImg, image, this.directory, drive), interface: iface, format: 'qcow2' });
      } else {
        disks.push({ index, file: image, interface: iface, format: (await imageInfo(qemuImg, image, log)).format });
      }
    }
    return disks;
  }

  /**
   * GNS3's resize_disk: grows the disk QEMU opens for `drive` by `extendMb` MB — the linked-clone overlay in the node
   * directory (created from the image first if the node never started), else the image itself. Only while stopped.
   */
  async resizeDisk(drive: Drive, extendMb: number): Promise<void> {
    if (this.run) throw fail('QEMU_RESIZE_WHILE_RUNNING', drive);
    const key = `${drive}_disk_image` as const;
    const image = this.#imagePath(key);
    if (!image) throw fail('QEMU_NO_DISK_TO_RESIZE', this.name, drive);
    if (!existsSync(image)) throw fail('QEMU_IMAGE_MISSING', this.#imageSettings.get(key)!.name);
    const binary = await findQemu(this.settings.qemu_path || null, this.settings.platform || null, this.host.binaries.qemu);
    const qemuImg = await findQemuImg(binary.path);
    await mkdir(this.directory, { recursive: true });
    const log = join(this.directory, 'qemu-img.log');
    const disk = this.settings.linked_clone ? await linkedClone(qemuImg, image, this.directory, drive) : image;
    await growDisk(qemuImg, disk, extendMb, log);
  }

  async #hasSavedState(binary: QemuBinary, disks: DiskSpec[]): Promise<boolean> {
    if (this.settings.on_close !== 'save_vm_state') return false;
    const qcow2 = disks.filter((d) => d.format === 'qcow2');
    if (qcow2.length === 0) return false;
    const qemuImg = await findQemuImg(binary.path);
    for (const disk of qcow2) {
      if (await hasSnapshot(qemuImg, disk.file, SAVED_STATE, join(this.directory, 'qemu-img.log'))) return true;
    }
    return false;
  }

  #consoleSpec(): ConsoleSpec {
    const type = this.settings.console_type;
    if (type === 'none' || this.console === null) return { type: 'none' };
    if (type === 'telnet') return { type, internalPort: this.#internalConsole! };
    return { type, host: this.host.consoleHost, port: this.console };
  }

  #nics() {
    const s = this.settings;
    return this.portKeys().map((key, n) => {
      const custom = s.custom_adapters.find((a) => a.adapter_number === n);
      return {
        mac: custom?.mac_address ?? macPlus(s.mac_address, n),
        model: custom?.adapter_type || s.adapter_type,
        tunnel: this.tunnels.get(key)!,
      };
    });
  }

  async #tune(vm: QemuVm): Promise<void> {
    const priority = applyPriority(vm.process.pid, this.settings.process_priority);
    if (priority) this.#warn(priority);
    if (this.settings.cpu_throttling > 0) {
      const limiter = await startCpuLimit(vm.process.pid, this.settings.cpu_throttling, this.directory);
      if (typeof limiter === 'string') this.#warn(limiter);
      else vm.adopt(limiter);
    }
  }

  override async suspend(): Promise<void> {
    if (this.status !== 'started' || !(await this.run?.vm.pause())) return;
    this.setStatus('suspended');
  }

  override async resume(): Promise<void> {
    if (this.status !== 'suspended' || !(await this.run?.vm.resume())) return;
    this.setStatus('started');
  }

  /** Resets the guest through the monitor, or restarts QEMU when settings changed since it started (GNS3). */
  override async reload(): Promise<void> {
    if (!this.run) return;
    if (this.#settingsChanged) {
      await this.stop();
      await this.start();
    } else {
      await this.run.vm.reset();
    }
  }

  override async consoleReset(): Promise<void> {
    await this.run?.vm.consoleReset();
  }
}

/** Shows an argument the way a shell would need it, so `command_line` can be pasted. */
function quoteForDisplay(arg: string): string {
  return /^[\w@%+=:,./-]+$/.test(arg) ? arg : `'${arg.replaceAll("'", `'"'"'`)}'`;
}
