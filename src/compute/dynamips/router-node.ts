/**
 * A Dynamips router: GNS3 2.2's settings and JSON, one hypervisor process per router while it runs (spawned at
 * start, configured over its control port, stopped at stop), consoles fronted by patchbay's telnet multiplexer, and
 * one UDP tunnel per linked port wired to the relay by EmulatorNode.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { closeSync, openSync } from 'node:fs';
import { mkdir, readFile, rm } from 'node:fs/promises';
import { basename, join } from 'node:path';
import pidusage from 'pidusage';
import { fail, type PatchbayError } from '../../errors/index.ts';
import type { Nio } from '../schemas.ts';
import { onDemandTcpBackend } from '../console/backends.ts';
import { openConsole } from '../console/telnet-console.ts';
import { EmulatorNode } from '../emulator-node.ts';
import type { NodeInit, PortRef } from '../node.ts';
import { Supervised } from '../../process/supervised.ts';
import { md5sum, type ImageStore } from '../qemu/images.ts';
import { findDynamips } from './binary.ts';
import { configFileText, parseExtractedConfigs, readConfig, renameInConfigs, writeConfig } from './configs.ts';
import {
  applyModules, boundAdapters, initialHardware, interfaces, platformProblems, SLOT_FIELDS, WIC_FIELDS,
  type Hardware, type Problem,
} from './hardware.ts';
import { quote } from './hypervisor.ts';
import { RouterRun, type RunPorts } from './router-run.ts';
import { AUTO_IDLE_PC_MAX_CPU, cpuPercent, parseProposals } from './idle-pc.ts';
import { iosImageProblem } from './ios-image.ts';
import { PLATFORM_SPECS, WIC_PORT_BASE, type Npe } from './platforms.ts';
import type { DynamipsCreate, DynamipsUpdate } from './schemas.ts';

/** Ghost RAM files made by this agent, shared by the routers of a driver (gns3-server keeps the same registry). */
export type GhostRegistry = { files: Set<string>; lock: (task: () => Promise<void>) => Promise<void> };

export type RouterInit = NodeInit & { dynamipsId: number; images: ImageStore; ghosts: GhostRegistry; ghostRam: boolean };

/** gns3-server gives an idle router this long to boot before sampling idle-PC proposals. */
export const IDLE_PC_BOOT_WAIT_MS = 20_000;
/** How long auto idle-PC watches the CPU under each proposal (gns3-server: 3 s). */
const IDLE_PC_TRIAL_MS = 3000;
/** Dynamips' answer to `vm get_status`. */
const VM_STATES = ['inactive', 'shutting down', 'running', 'suspended'] as const;

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

type Settings = {
  usage: string;
  image: string;
  nvram: number;
  mmap: boolean;
  sparsemem: boolean;
  clock_divisor: number;
  idlepc: string;
  idlemax: number;
  idlesleep: number;
  exec_area: number;
  disk0: number;
  disk1: number;
  auto_delete_disks: boolean;
  mac_addr: string;
  system_id: string;
  midplane: 'std' | 'vxr';
  sensors: number[];
  power_supplies: number[];
  iomem: number | null;
};

/** Turns hardware problems into one 400 naming every offending field. */
function refuse(problems: Problem[]): void {
  if (problems.length) throw fail('INVALID_REQUEST', problems.map((p) => `"${p.field}": ${p.message}`).join('; '));
}

export class DynamipsRouter extends EmulatorNode<RouterRun> {
  readonly type = 'dynamips';
  readonly module = 'dynamips';
  protected readonly emulatorName = 'Dynamips hypervisor';
  readonly dynamipsId: number;
  readonly #images: ImageStore;
  readonly #ghosts: GhostRegistry;
  readonly #ghostRam: boolean;
  hw: Hardware;
  settings: Settings;
  console: number | null = null;
  consoleType: 'telnet' | 'none';
  aux: number | null = null;
  /** md5 of the image (null while unknown or when it is missing, as gns3-server reports). */
  imageMd5: string | null = null;

  private constructor(init: RouterInit, hw: Hardware, settings: Settings, consoleType: 'telnet' | 'none') {
    super(init);
    this.dynamipsId = init.dynamipsId;
    this.#images = init.images;
    this.#ghosts = init.ghosts;
    this.#ghostRam = init.ghostRam;
    this.hw = hw;
    this.settings = settings;
    this.consoleType = consoleType;
  }

  static async create(init: RouterInit, fields: DynamipsCreate): Promise<DynamipsRouter> {
    const { platform } = fields;
    const spec = PLATFORM_SPECS[platform];
    const hw = initialHardware(platform, fields.chassis ?? null, (fields.npe ?? null) as Npe | null, fields.ram);
    refuse([...platformProblems(hw, fields.chassis !== undefined, fields.npe !== undefined), ...applyModules(hw, fields)]);
    const image = await init.images.resolve(fields.image, init.project.path);
    const d = spec.defaults;
    const settings: Settings = {
      usage: fields.usage ?? '',
      image,
      nvram: fields.nvram ?? d.nvram,
      mmap: fields.mmap ?? true,
      sparsemem: fields.sparsemem ?? d.sparsemem,
      clock_divisor: fields.clock_divisor ?? d.clock_divisor,
      idlepc: fields.idlepc ?? '',
      idlemax: fields.idlemax ?? 500,
      idlesleep: fields.idlesleep ?? 30,
      exec_area: fields.exec_area ?? 64,
      disk0: fields.disk0 ?? d.disk0,
      disk1: fields.disk1 ?? d.disk1,
      auto_delete_disks: fields.auto_delete_disks ?? false,
      // Dynamips' own default is ca<id>.<pid>.0000, which changes with every hypervisor process; ours is fixed.
      mac_addr: fields.mac_addr ?? `ca${(init.dynamipsId & 0xff).toString(16).padStart(2, '0')}.${randomBytes(2).toString('hex')}.0000`,
      system_id: fields.system_id ?? 'FTX0945W0MY',
      midplane: fields.midplane ?? 'vxr',
      sensors: fields.sensors ?? [22, 22, 22, 22],
      power_supplies: fields.power_supplies ?? [1, 1],
      iomem: d.iomem === null ? null : fields.iomem ?? d.iomem,
    };
    const node = new DynamipsRouter(init, hw, settings, fields.console_type ?? 'telnet');
    const { tcpPorts } = init.host;
    try {
      if (node.consoleType === 'telnet') {
        node.console = fields.console != null ? await tcpPorts.reserve(fields.console, node.owner) : await tcpPorts.allocate(node.owner);
      }
      if (fields.aux != null) node.aux = await tcpPorts.reserve(fields.aux, node.owner);
      await mkdir(join(node.directory, 'configs'), { recursive: true });
      await node.#writeConfigs(fields);
    } catch (err) {
      tcpPorts.releaseOwnedBy(node.owner);
      throw err;
    }
    return node;
  }

  get platform() {
    return this.hw.platform;
  }

  /** Prefix of the files Dynamips keeps for this router in its directory (`c7200_i1_nvram`, `…_disk0`, `…_rom`). */
  get #filePrefix(): string {
    return `${this.platform}_i${this.dynamipsId}_`;
  }

  get startupConfigPath(): string {
    return join(this.directory, 'configs', `i${this.dynamipsId}_startup-config.cfg`);
  }

  get privateConfigPath(): string {
    return join(this.directory, 'configs', `i${this.dynamipsId}_private-config.cfg`);
  }

  async #writeConfigs(fields: { startup_config_content?: string; private_config_content?: string }): Promise<void> {
    if (fields.startup_config_content) await writeConfig(this.startupConfigPath, configFileText(fields.startup_config_content, this.name));
    if (fields.private_config_content) await writeConfig(this.privateConfigPath, configFileText(fields.private_config_content, this.name));
  }

  toJSON() {
    const s = this.settings;
    const json: Record<string, unknown> = {
      name: this.name,
      usage: s.usage,
      node_id: this.id,
      node_directory: this.directory,
      project_id: this.project.id,
      dynamips_id: this.dynamipsId,
      platform: this.platform,
      image: this.#images.display(s.image),
      image_md5sum: this.imageMd5,
      ram: this.hw.ram,
      nvram: s.nvram,
      mmap: s.mmap,
      sparsemem: s.sparsemem,
      clock_divisor: s.clock_divisor,
      idlepc: s.idlepc,
      idlemax: s.idlemax,
      idlesleep: s.idlesleep,
      exec_area: s.exec_area,
      disk0: s.disk0,
      disk1: s.disk1,
      auto_delete_disks: s.auto_delete_disks,
      status: this.status,
      console: this.console,
      console_type: this.consoleType,
      aux: this.aux,
      mac_addr: s.mac_addr,
      system_id: s.system_id,
    };
    this.hw.slots.forEach((adapter, slot) => (json[`slot${slot}`] = adapter));
    this.hw.wics.forEach((wic, slot) => (json[`wic${slot}`] = wic));
    if (this.platform === 'c7200') Object.assign(json, { npe: this.hw.npe, midplane: s.midplane, sensors: s.sensors, power_supplies: s.power_supplies });
    else json.iomem = s.iomem;
    if (this.hw.chassis !== null) json.chassis = this.hw.chassis;
    return json;
  }

  async refreshImageMd5(): Promise<void> {
    this.imageMd5 = await md5sum(this.settings.image).catch(() => null);
  }

  // --- ports ---------------------------------------------------------------------------------------------------

  protected portKey({ adapter, port }: PortRef): string {
    if (adapter >= this.hw.slots.length) throw fail('DYNAMIPS_SLOT_MISSING', adapter, this.name);
    const card = this.hw.slots[adapter];
    if (!card) throw fail('DYNAMIPS_ADAPTER_MISSING', adapter);
    if (!interfaces(this.hw).some((i) => i.slot === adapter && i.port === port)) {
      throw fail('DYNAMIPS_PORT_MISSING', port, card);
    }
    return `${adapter}/${port}`;
  }

  protected portKeys(): string[] {
    return [...this.nios].filter(([, nio]) => nio.type === 'nio_udp').map(([key]) => key);
  }

  protected override async nioChanged(key: string, nio: Nio): Promise<void> {
    const run = this.run;
    if (run?.connected && !run.nios.has(key)) {
      await this.ensureTunnels();
      await this.#bindNio(run, key);
      await this.#send(`vm slot_enable_nio ${quote(this.name)} ${key.replace('/', ' ')}`);
    }
    await super.nioChanged(key, nio);
  }

  protected override async nioRemoved(key: string): Promise<void> {
    await super.nioRemoved(key);
    const run = this.run;
    const name = run?.nios.get(key);
    if (!run?.connected || !name) return;
    run.nios.delete(key);
    const [slot, port] = key.split('/');
    await this.#send(`vm slot_disable_nio ${quote(this.name)} ${slot} ${port}`).catch(() => undefined);
    await this.#send(`vm slot_remove_nio_binding ${quote(this.name)} ${slot} ${port}`);
    await this.#send(`nio delete ${quote(name)}`);
  }

  /** Creates the Dynamips UDP NIO of a port (towards its relay tunnel) and binds it to the slot/port. */
  async #bindNio(run: RouterRun, key: string): Promise<void> {
    const tunnel = this.tunnels.get(key)!;
    const name = `udp-${randomUUID()}`;
    await this.#send(`nio create_udp ${quote(name)} ${tunnel.emulatorPort} 127.0.0.1 ${tunnel.relayPort}`);
    const [slot, port] = key.split('/');
    const bind = `vm slot_add_nio_binding ${quote(this.name)} ${slot} ${port} ${quote(name)}`;
    try {
      await this.#send(bind);
    } catch {
      // gns3-server's recovery for a binding Dynamips still remembers: remove it and bind again.
      await this.#send(`vm slot_remove_nio_binding ${quote(this.name)} ${slot} ${port}`).catch(() => undefined);
      await this.#send(bind);
    }
    run.nios.set(key, name);
  }

  // --- hypervisor ----------------------------------------------------------------------------------------------

  async #send(command: string): Promise<string[]> {
    if (!this.run?.connected) throw fail('DYNAMIPS_NOT_RUNNING', this.name);
    return this.run.send(command);
  }

  async #vmState(): Promise<(typeof VM_STATES)[number]> {
    if (!this.run?.connected) return 'inactive';
    const [state] = await this.#send(`vm get_status ${quote(this.name)}`);
    return VM_STATES[Number(state)] ?? 'inactive';
  }

  async #stdoutTail(): Promise<string> {
    return (await readFile(this.#stdoutFile, 'latin1').catch(() => '')).slice(-2048);
  }

  get #stdoutFile(): string {
    return join(this.directory, `dynamips_i${this.dynamipsId}_stdout.txt`);
  }

  /** Already running: a start resumes a suspended router. */
  override async start(): Promise<void> {
    if (this.run) {
      if (this.status === 'suspended') await this.resume();
      return;
    }
    await super.start();
  }

  /** Spawns the hypervisor; the router inside it is created and started by attach(). */
  protected async launch(): Promise<RouterRun> {
    const binary = await findDynamips(this.host.binaries.dynamips ?? 'dynamips');
    const problem = await iosImageProblem(this.settings.image);
    if (problem) throw problem;
    await mkdir(join(this.directory, 'configs'), { recursive: true });
    const { tcpPorts } = this.host;
    const hypervisorPort = await tcpPorts.allocate(this.owner);
    const consolePort = await tcpPorts.allocate(this.owner);
    const auxPort = this.aux === null ? null : await tcpPorts.allocate(this.owner);
    const ports = { hypervisor: hypervisorPort, console: consolePort, aux: auxPort };
    const args = ['-N1', '-l', `dynamips_i${this.dynamipsId}_log.txt`, '-H', `127.0.0.1:${hypervisorPort}`, '--console-binding-addr', '127.0.0.1'];
    const logFd = openSync(this.#stdoutFile, 'w');
    try {
      return new RouterRun(await Supervised.spawn(binary.path, args, { cwd: this.directory, output: logFd }), ports);
    } catch (err) {
      this.#releasePorts(ports);
      throw fail('DYNAMIPS_SPAWN_FAILED', binary.path, (err as Error).message);
    } finally {
      closeSync(logFd);
    }
  }

  protected override async attach(run: RouterRun, wired: Promise<void>): Promise<void> {
    await run.connect();
    await this.#send(`hypervisor working_dir ${quote(this.directory)}`);
    if (this.#ghostRam) await this.#prepareGhost(run);
    await this.#createVm(run);
    for (const key of this.portKeys()) await this.#bindNio(run, key);
    await this.#pushConfigs();
    try {
      await this.#send(`vm start ${quote(this.name)}`);
    } catch (err) {
      const reason = (await this.#stdoutTail()).trim().split('\n').slice(-3).join('\n');
      throw fail('DYNAMIPS_START_FAILED', (err as Error).message, reason);
    }
    await this.#afterVmStart();
    await wired;
    if (this.consoleType === 'telnet') await this.#openConsole(run, run.ports.console, 'console');
    if (run.ports.aux !== null) await this.#openConsole(run, run.ports.aux, 'aux');
    this.#watchNvram(run);
  }

  /** `vm create` and every setting Dynamips needs before `vm start`, in gns3-server's order. */
  async #createVm(run: RouterRun): Promise<void> {
    const { console: consolePort, aux: auxPort } = run.ports;
    const n = quote(this.name);
    const p = this.platform;
    const s = this.settings;
    await this.#send(`vm create ${n} ${this.dynamipsId} ${p}`);
    if (this.consoleType === 'telnet') await this.#send(`vm set_con_tcp_port ${n} ${consolePort}`);
    if (auxPort !== null) await this.#send(`vm set_aux_tcp_port ${n} ${auxPort}`);
    if (p === 'c7200') {
      await this.#send(`c7200 set_npe ${n} ${this.hw.npe}`);
      await this.#send(`c7200 set_midplane ${n} ${s.midplane}`);
    } else if (this.hw.chassis !== null) {
      await this.#send(`${p} set_chassis ${n} ${this.hw.chassis}`);
    }
    await this.#send(`vm set_ios ${n} ${quote(s.image)}`);
    await this.#send(`vm set_ram ${n} ${this.hw.ram}`);
    await this.#send(`vm set_nvram ${n} ${s.nvram}`);
    await this.#send(`vm set_ram_mmap ${n} ${s.mmap ? 1 : 0}`);
    await this.#send(`vm set_sparse_mem ${n} ${s.sparsemem ? 1 : 0}`);
    await this.#send(`vm set_clock_divisor ${n} ${s.clock_divisor}`);
    await this.#send(`vm set_exec_area ${n} ${s.exec_area}`);
    await this.#send(`vm set_disk0 ${n} ${s.disk0}`);
    await this.#send(`vm set_disk1 ${n} ${s.disk1}`);
    await this.#send(`vm set_idle_pc ${n} ${s.idlepc || '0x0'}`);
    await this.#send(`${p} set_mac_addr ${n} ${s.mac_addr}`);
    await this.#send(`${p} set_system_id ${n} ${s.system_id}`);
    if (s.iomem !== null) await this.#send(`${p} set_iomem ${n} ${s.iomem}`);
    if (run.ghostInUse) {
      await this.#send(`vm set_ghost_status ${n} 2`);
      await this.#send(`vm set_ghost_file ${n} ${quote(run.ghostInUse)}`);
    }
    for (const { slot, adapter } of boundAdapters(this.hw)) await this.#send(`vm slot_add_binding ${n} ${slot} 0 ${adapter}`);
    for (const [wicSlot, wic] of this.hw.wics.entries()) {
      if (wic) await this.#send(`vm slot_add_binding ${n} 0 ${WIC_PORT_BASE * (wicSlot + 1)} ${wic}`);
    }
  }

  /** Settings Dynamips only takes once the CPU exists. */
  async #afterVmStart(): Promise<void> {
    const n = quote(this.name);
    const s = this.settings;
    await this.#send(`vm set_idle_max ${n} 0 ${s.idlemax}`);
    await this.#send(`vm set_idle_sleep_time ${n} 0 ${s.idlesleep}`);
    if (this.platform !== 'c7200') return;
    for (const [i, temp] of s.sensors.entries()) if (temp !== 22) await this.#send(`c7200 set_temp_sensor ${n} ${i} ${temp}`);
    for (const [i, on] of s.power_supplies.entries()) if (on !== 1) await this.#send(`c7200 set_power_supply ${n} ${i} ${on}`);
  }

  /** The ghost RAM file routers with this image and RAM share, or null when ghosting does not apply. */
  get ghostFile(): string | null {
    if (!this.#ghostRam || !this.settings.mmap || (this.platform === 'c7200' && this.hw.npe === 'npe-g2')) return null;
    const name = `${basename(this.settings.image)}-${this.hw.ram}.ghost`.replace(/[\\/:]/g, '-');
    return join(this.project.filesDir, this.module, name);
  }

  /**
   * Makes the ghost RAM file if this agent has not made it yet: a temporary ghost VM boots the image with ghost
   * status 1 and is deleted again (gns3-server's sequence). A failure only costs the optimisation.
   */
  async #prepareGhost(run: RouterRun): Promise<void> {
    const file = this.ghostFile;
    if (!file) return;
    await this.#ghosts.lock(async () => {
      if (this.#ghosts.files.has(file)) return;
      const ghost = quote(`ghost-${basename(file)}`);
      try {
        await this.#send(`vm create ${ghost} 0 ${this.platform}`);
        try {
          await this.#send(`vm set_ios ${ghost} ${quote(this.settings.image)}`);
          await this.#send(`vm set_ghost_status ${ghost} 1`);
          await this.#send(`vm set_ghost_file ${ghost} ${quote(file)}`);
          await this.#send(`vm set_ram ${ghost} ${this.hw.ram}`);
          await this.#send(`vm start ${ghost}`);
          await this.#send(`vm stop ${ghost}`);
          this.#ghosts.files.add(file);
        } finally {
          await this.#send(`vm clean_delete ${ghost}`);
        }
      } catch (err) {
        this.host.notify('log.warning', { message: `Could not create ghost instance: ${(err as Error).message}` }, this.project.id);
      }
    });
    run.ghostInUse = this.#ghosts.files.has(file) ? file : null;
  }

  /** Hands the config files to Dynamips, which writes them into NVRAM when the VM starts. */
  async #pushConfigs(): Promise<void> {
    const startup = await readConfig(this.startupConfigPath);
    const priv = await readConfig(this.privateConfigPath);
    if (startup === null && !priv) return;
    const rel = (path: string) => `configs/${basename(path)}`;
    await this.#send(`vm set_config ${quote(this.name)} ${quote(startup === null ? '' : rel(this.startupConfigPath))} ${quote(priv ? rel(this.privateConfigPath) : '')}`);
  }

  /** Reads both configs out of NVRAM into the node's config files (gns3-server's save_configs). */
  async saveConfigs(): Promise<void> {
    let reply: string[];
    try {
      reply = await this.#send(`vm extract_config ${quote(this.name)}`);
    } catch {
      return; // Nothing in NVRAM yet.
    }
    const configs = parseExtractedConfigs(reply[0] ?? '');
    if (configs.startup) await writeConfig(this.startupConfigPath, configs.startup);
    if (configs.private) await writeConfig(this.privateConfigPath, configs.private);
  }

  /** IOS writes NVRAM on `write memory`; follow it into the config files, as gns3-server's file watcher does. */
  #watchNvram(run: RouterRun): void {
    const file = join(this.directory, `${this.#filePrefix}${['c2691', 'c3725', 'c3745'].includes(this.platform) ? 'rom' : 'nvram'}`);
    run.watchNvram(file, () => {
      if (this.status !== 'stopped') void this.saveConfigs().catch(() => undefined);
    });
  }

  async #openConsole(run: RouterRun, internalPort: number, which: 'console' | 'aux'): Promise<void> {
    // Dynamips binds the console port during `vm start`, before it answers, so it listens by now.
    const backend = onDemandTcpBackend(internalPort);
    run.backends.push(backend);
    const publicPort = which === 'console' ? this.console! : this.aux!;
    const opened = await openConsole(this.host.tcpPorts, this.owner, this.host.consoleHost, publicPort, backend);
    run.consoles.push(opened.console);
    if (which === 'console') this.console = opened.port;
    else this.aux = opened.port;
  }

  #releasePorts(ports: RunPorts): void {
    for (const port of [ports.hypervisor, ports.console, ports.aux]) if (port !== null) this.host.tcpPorts.release(port);
  }

  /** Stops the hypervisor and everything attached to it (the lifecycle unwires the bridges meanwhile). */
  protected async halt(run: RouterRun): Promise<void> {
    try {
      await run.close();
    } finally {
      this.#releasePorts(run.ports);
    }
  }

  protected logTail(): Promise<string> {
    return this.#stdoutTail();
  }

  protected startFailed(reason: string): PatchbayError {
    return fail('DYNAMIPS_START_FAILED', reason, '');
  }

  /** Stops the router inside the hypervisor first and saves its configs, as gns3-server does. */
  override async stop(): Promise<void> {
    if (this.run?.connected) {
      if ((await this.#vmState().catch(() => 'inactive')) !== 'inactive') {
        await this.#send(`vm stop ${quote(this.name)}`).catch((err) => {
          this.host.notify('log.warning', { message: `Could not stop ${this.name}: ${(err as Error).message}` }, this.project.id);
        });
      }
      await this.saveConfigs().catch(() => undefined);
    }
    await super.stop();
  }

  override async suspend(): Promise<void> {
    if ((await this.#vmState()) !== 'running') return;
    await this.#send(`vm suspend ${quote(this.name)}`);
    this.setStatus('suspended');
  }

  override async resume(): Promise<void> {
    if ((await this.#vmState()) !== 'suspended') return;
    await this.#send(`vm resume ${quote(this.name)}`);
    this.setStatus('started');
  }

  /** Dynamips consoles need no reset (gns3-server does nothing either). */
  override async consoleReset(): Promise<void> {}

  // --- idle-PC -------------------------------------------------------------------------------------------------

  async #setIdlePc(value: string): Promise<void> {
    if ((await this.#vmState()) === 'running') await this.#send(`vm set_idle_pc_online ${quote(this.name)} 0 ${value}`);
    this.settings.idlepc = value;
  }

  /** Runs `task` with the router running, starting it (and giving it time to boot) if needed, as gns3-server does. */
  async #whileRunning<T>(task: () => Promise<T>): Promise<T> {
    const wasRunning = (await this.#vmState()) === 'running';
    if (!wasRunning) {
      await this.start();
      await sleep(IDLE_PC_BOOT_WAIT_MS);
    }
    try {
      return await task();
    } finally {
      if (!wasRunning) await this.stop();
    }
  }

  /** Dynamips' idle-PC proposals (it samples the PC for a few seconds), as the lines it returns. */
  async idlePcProposals(): Promise<string[]> {
    await this.#setIdlePc('0x0');
    return this.#whileRunning(() => this.#send(`vm get_idle_pc_prop ${quote(this.name)} 0`));
  }

  /** Tries each proposal for a few seconds and keeps the first under which the router uses < 70 % of a CPU. */
  async autoIdlePc(): Promise<string> {
    await this.#setIdlePc('0x0');
    return this.#whileRunning(async () => {
      const proposals = parseProposals(await this.#send(`vm get_idle_pc_prop ${quote(this.name)} 0`));
      if (proposals.length === 0) throw fail('DYNAMIPS_NO_IDLE_PC');
      for (const { value } of proposals) {
        await this.#setIdlePc(value);
        const before = await this.cpuSeconds();
        const started = performance.now();
        await sleep(IDLE_PC_TRIAL_MS);
        const usage = cpuPercent(before, await this.cpuSeconds(), performance.now() - started);
        if (usage < AUTO_IDLE_PC_MAX_CPU) {
          this.emitUpdated();
          return value;
        }
      }
      await this.#setIdlePc('0x0');
      throw fail('DYNAMIPS_IDLE_PC_UNSUITABLE');
    });
  }

  /** CPU time (s) the hypervisor process has used; measured on the process, finer than Dynamips' whole seconds. */
  async cpuSeconds(): Promise<number> {
    if (!this.run) return 0;
    return (await pidusage(this.run.process.pid)).ctime / 1000;
  }

  // --- settings ------------------------------------------------------------------------------------------------

  async update(fields: DynamipsUpdate): Promise<void> {
    const running = this.run !== null;
    if (fields.platform !== undefined && fields.platform !== this.platform) {
      throw fail('INVALID_REQUEST', `"platform": a ${this.platform} router cannot become a ${fields.platform}`);
    }
    const hwFields = ['chassis', 'npe', 'ram', ...SLOT_FIELDS, ...WIC_FIELDS] as const;
    const current = this.toJSON();
    const hwChanged = hwFields.some((f) => fields[f] !== undefined && JSON.stringify(fields[f] ?? null) !== JSON.stringify(current[f] ?? null));
    if (hwChanged) {
      if (running) throw fail('DYNAMIPS_HARDWARE_WHILE_RUNNING', this.name);
      const chassisChanged = fields.chassis !== undefined && fields.chassis !== this.hw.chassis;
      const npeChanged = fields.npe !== undefined && fields.npe !== this.hw.npe;
      const base = chassisChanged || npeChanged
        ? initialHardware(this.platform, fields.chassis ?? this.hw.chassis, (fields.npe ?? this.hw.npe) as Npe | null, fields.ram ?? this.hw.ram)
        : { ...this.hw, ram: fields.ram ?? this.hw.ram, slots: [...this.hw.slots], wics: [...this.hw.wics] };
      const problems = platformProblems(base, chassisChanged, fields.npe !== undefined && this.platform !== 'c7200');
      // After a chassis or NPE change the old modules are carried over where they still fit.
      const modules: Record<string, unknown> = {};
      if (chassisChanged || npeChanged) {
        this.hw.slots.forEach((a, i) => {
          if (a && i < base.slots.length && base.slots[i] === null) modules[`slot${i}`] = a;
        });
        this.hw.wics.forEach((w, i) => (modules[`wic${i}`] = w));
      }
      for (const f of [...SLOT_FIELDS, ...WIC_FIELDS]) if (fields[f] !== undefined) modules[f] = fields[f];
      refuse([...problems, ...applyModules(base, modules)]);
      if (interfaces(base).length < interfaces(this.hw).length && this.#linkedPortsMissing(base)) {
        throw fail('DYNAMIPS_LINKED_PORT_WOULD_VANISH', this.name);
      }
      this.hw = base;
    }
    if (fields.image !== undefined && fields.image !== this.#images.display(this.settings.image)) {
      this.settings.image = await this.#images.resolve(fields.image, this.project.path);
      await this.refreshImageMd5();
    }
    if (fields.idlepc !== undefined && fields.idlepc !== this.settings.idlepc) {
      if (running) await this.#setIdlePc(fields.idlepc || '0x0');
      this.settings.idlepc = fields.idlepc;
    }
    if (running && fields.idlemax !== undefined) await this.#send(`vm set_idle_max ${quote(this.name)} 0 ${fields.idlemax}`);
    if (running && fields.idlesleep !== undefined) await this.#send(`vm set_idle_sleep_time ${quote(this.name)} 0 ${fields.idlesleep}`);
    const s = this.settings;
    const plain = [
      'usage', 'nvram', 'mmap', 'sparsemem', 'clock_divisor', 'idlemax', 'idlesleep', 'exec_area', 'disk0', 'disk1',
      'auto_delete_disks', 'mac_addr', 'system_id', 'midplane', 'sensors', 'power_supplies',
    ] as const;
    for (const key of plain) if (fields[key] != null) (s as Record<string, unknown>)[key] = fields[key];
    if (fields.iomem !== undefined && s.iomem !== null) s.iomem = fields.iomem;
    await this.#updateConsoles(fields);
    if (fields.name != null && fields.name !== this.name) await this.#rename(fields.name);
    await this.#writeConfigs(fields);
    this.emitUpdated();
  }

  #linkedPortsMissing(next: Hardware): boolean {
    const keys = new Set(interfaces(next).map((i) => `${i.slot}/${i.port}`));
    return [...this.nios.keys()].some((key) => !keys.has(key));
  }

  async #updateConsoles(fields: DynamipsUpdate): Promise<void> {
    const { tcpPorts } = this.host;
    const changing = (fields.console_type !== undefined && fields.console_type !== this.consoleType)
      || (fields.console != null && fields.console !== this.console)
      || (fields.aux !== undefined && fields.aux !== this.aux);
    if (!changing) return;
    if (this.run) throw fail('DYNAMIPS_CONSOLE_WHILE_RUNNING', this.name);
    if (fields.console_type !== undefined) this.consoleType = fields.console_type;
    if (this.consoleType === 'none') {
      tcpPorts.release(this.console);
      this.console = null;
    } else if (fields.console != null && fields.console !== this.console) {
      tcpPorts.release(this.console);
      this.console = await tcpPorts.reserve(fields.console, this.owner);
    } else if (this.console === null) {
      this.console = await tcpPorts.allocate(this.owner);
    }
    if (fields.aux !== undefined && fields.aux !== this.aux) {
      tcpPorts.release(this.aux);
      this.aux = fields.aux === null ? null : await tcpPorts.reserve(fields.aux, this.owner);
    }
  }

  /** Renames the VM (live if it runs) and the router in its config files, as gns3-server does. */
  async #rename(name: string): Promise<void> {
    if (this.run?.connected) await this.#send(`vm rename ${quote(this.name)} ${quote(name)}`);
    const renamed = renameInConfigs(await readConfig(this.startupConfigPath), await readConfig(this.privateConfigPath), this.name, name);
    if (renamed.startup !== null) await writeConfig(this.startupConfigPath, renamed.startup);
    if (renamed.private !== null) await writeConfig(this.privateConfigPath, renamed.private);
    this.name = name;
  }

  /** gns3-server copies the configs (file names carry the Dynamips id, which differs), then fixes the name. */
  override async duplicateInto(destination: DynamipsRouter): Promise<void> {
    const startup = await readConfig(this.startupConfigPath);
    const priv = await readConfig(this.privateConfigPath);
    const renamed = renameInConfigs(startup, priv, this.name, destination.name);
    if (renamed.startup !== null) await writeConfig(destination.startupConfigPath, renamed.startup);
    if (renamed.private !== null) await writeConfig(destination.privateConfigPath, renamed.private);
  }

  override async close(): Promise<void> {
    await super.close();
    if (!this.settings.auto_delete_disks) return;
    const kinds = ['disk0', 'disk1', 'slot0', 'slot1', 'nvram', 'flash0', 'flash1', 'rom', 'bootflash', 'ssa'];
    await Promise.all(kinds.map((kind) => rm(join(this.directory, `${this.#filePrefix}${kind}`), { force: true })));
  }
}
