/**
 * A Docker node: a container created with Docker networking disabled and our init script as entrypoint, started with
 * one TAP interface per adapter moved into it, a telnet console on its TTY, an aux shell, an HTTP(S) console
 * forwarded into it, or a VNC console on a host display. Settings, defaults and errors follow GNS3 2.2 (see
 * shared/spec/docker-nat-cloud.md); containers run unprivileged with the capabilities listed in settings.ts unless the
 * node opts into `privileged`. Start, stop, crashes and bridges follow the shared EmulatorNode lifecycle, with the
 * container as the emulator process and a TAP side on every adapter's bridge.
 */
import { mkdir, writeFile, access, readdir } from 'node:fs/promises';
import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { PatchbayError, fail } from '../../errors/index.ts';
import type { DockerCreate, DockerUpdate } from './schemas.ts';
import { openConsole, type ConsoleBackend, type TelnetConsole } from '../console/telnet-console.ts';
import type { NodeInit, PortRef } from '../node.ts';
import { EmulatorNode, type EmulatorProcess } from '../emulator-node.ts';
import { auxShellBackend, httpForwarder, ttyBackend } from './consoles.ts';
import type { DockerEngine } from './engine.ts';
import { tapName } from './interfaces.ts';
import { requireCapabilities } from '../../hostnet/capabilities.ts';
import type { BridgePatch, NodeEndpoint } from '../../relay/types.ts';
import {
  LABEL_DISPLAY, LABEL_NODE, LABEL_PROJECT, LABEL_STATE, adapterMac, containerBody, containerEnv, persistentVolumes,
  defaultBaseMac, withDefaultTag, type ImageConfig,
} from './settings.ts';
import type { Resources } from './resources.ts';
import { ShellWordsError, splitShellWords } from '../shell-words.ts';
import { claimDisplay, releaseDisplay, startVncServer, vncPrograms, type VncServer } from './vnc.ts';

/** Docker's stop grace before SIGKILL, as GNS3 (a shell as PID 1 ignores SIGTERM, so a stop takes this long). */
const STOP_GRACE_MS = 5000;
/** VNC viewers read a console port as display port - 5900 (GNS3 refuses lower ones for VNC). */
const LOWEST_VNC_PORT = 5900;
/** How long Xvfb and x11vnc get to exit on SIGTERM. */
const VNC_STOP_GRACE_MS = 2000;

export type DockerConsoleType = DockerCreate['console_type'];

/** The settings GNS3 applies on update; changing any of them re-creates the container. */
export type DockerSettings = {
  image: string;
  consoleType: DockerConsoleType;
  consoleResolution: string;
  consoleHttpPort: number;
  consoleHttpPath: string;
  startCommand: string | null;
  environment: string | null;
  extraHosts: string | null;
  extraVolumes: string[];
  adapters: number;
  usage: string;
  privileged: boolean;
  customAdapters: NonNullable<DockerCreate['custom_adapters']>;
  /** Base MAC (adapter n gets base + n). */
  macAddress: string;
};

export type DockerContext = { engine: DockerEngine; resources: () => Promise<Resources>; stateDir: string };

export type DockerInit = NodeInit & { docker: DockerContext };

/** What runs while the container is up; dropped together at stop. */
type DockerRun = {
  readonly process: EmulatorProcess;
  pid: number;
  /** The container's TTY, for a telnet console. */
  tty: (ConsoleBackend & { close(): void }) | null;
  console: TelnetConsole | null;
  aux: TelnetConsole | null;
  http: { close(): Promise<void> } | null;
  vnc: VncServer | null;
  backends: Array<{ close(): void }>;
};

const text = (value: string | null | undefined): string | null => {
  const trimmed = value?.trim();
  return trimmed ? trimmed : null;
};

export class DockerNode extends EmulatorNode<DockerRun> {
  readonly type = 'docker';
  readonly module = 'docker';
  protected override readonly stopGraceMs = STOP_GRACE_MS;
  // Closing removes the container: no point waiting for it to exit cleanly first.
  protected override readonly closingGraceMs = 0;
  readonly #docker: DockerContext;
  settings: DockerSettings;
  console: number | null = null;
  aux: number | null = null;
  containerId = '';
  /** The host X display of a `vnc` console, chosen at creation (the container's DISPLAY and bind name it). */
  #display: number | null = null;
  /**
   * A UDP port per adapter that has no link, held until the node closes: a relay bridge always has a link side, so an
   * unlinked adapter's bridge gets this port, suspended (every frame dropped), until a NIO replaces it.
   */
  readonly #parked = new Map<string, number>();

  private constructor(init: DockerInit, settings: DockerSettings) {
    super(init);
    this.#docker = init.docker;
    this.settings = settings;
  }

  static async create(init: DockerInit, fields: DockerCreate): Promise<DockerNode> {
    const settings: DockerSettings = {
      image: withDefaultTag(fields.image),
      consoleType: fields.console_type,
      consoleResolution: fields.console_resolution ?? '1024x768',
      consoleHttpPort: fields.console_http_port ?? 80,
      consoleHttpPath: fields.console_http_path ?? '/',
      startCommand: text(fields.start_command),
      environment: fields.environment ?? null,
      extraHosts: fields.extra_hosts ?? null,
      extraVolumes: fields.extra_volumes ?? [],
      adapters: fields.adapters ?? 1,
      usage: fields.usage ?? '',
      privileged: fields.privileged ?? false,
      customAdapters: fields.custom_adapters ?? [],
      macAddress: (fields.mac_address || defaultBaseMac(init.id)).toLowerCase(),
    };
    checkStartCommand(settings.startCommand);
    if (settings.consoleType === 'vnc') await vncPrograms();
    const node = new DockerNode(init, settings);
    const { tcpPorts } = init.host;
    try {
      const image = await node.#image();
      await node.#allocateConsole(settings.consoleType, fields.console);
      node.aux = fields.aux != null ? await tcpPorts.reserve(fields.aux, node.owner) : await tcpPorts.allocate(node.owner);
      await node.#createContainer(image);
    } catch (err) {
      tcpPorts.releaseOwnedBy(node.owner);
      node.#setDisplay(null);
      throw err;
    }
    return node;
  }

  /** The console port for `type` (the wanted one when free), and the display of a `vnc` console. */
  async #allocateConsole(type: DockerConsoleType, wanted: number | null | undefined): Promise<void> {
    const { tcpPorts } = this.host;
    this.#setDisplay(type === 'vnc' ? (this.#display ?? claimDisplay()) : null);
    if (type === 'none') return;
    const lowest = type === 'vnc' ? LOWEST_VNC_PORT : tcpPorts.start;
    if (wanted != null && wanted < lowest) throw fail('DOCKER_VNC_PORT_TOO_LOW', wanted);
    this.console = wanted != null ? await tcpPorts.reserve(wanted, this.owner, lowest) : await tcpPorts.allocate(this.owner, lowest);
  }

  #setDisplay(display: number | null): void {
    if (display !== this.#display) releaseDisplay(this.#display);
    this.#display = display;
  }

  toJSON() {
    const s = this.settings;
    return {
      name: this.name,
      node_id: this.id,
      project_id: this.project.id,
      image: s.image,
      container_id: this.containerId,
      adapters: s.adapters,
      console: this.console,
      console_type: s.consoleType,
      console_resolution: s.consoleResolution,
      console_http_port: s.consoleHttpPort,
      console_http_path: s.consoleHttpPath,
      aux: this.aux,
      start_command: s.startCommand,
      environment: s.environment,
      extra_hosts: s.extraHosts,
      extra_volumes: s.extraVolumes,
      usage: s.usage,
      status: this.status,
      node_directory: this.directory,
      mac_address: s.macAddress,
      privileged: s.privileged,
    };
  }

  /** The image's settings; 409 without pulling when it is not on this host (a pull could hang on an unreachable registry). */
  async #image(): Promise<ImageConfig> {
    const image = await this.#docker.engine.image(this.settings.image);
    if (!image) {
      throw fail('DOCKER_IMAGE_MISSING', this.settings.image);
    }
    return image;
  }

  async #createContainer(image: ImageConfig): Promise<void> {
    if (this.directory.includes(':')) {
      // Docker's mount options cannot carry a colon in a source path on every engine version.
      throw fail('DOCKER_PATH_WITH_COLON');
    }
    const volumes = persistentVolumes(image.volumes, this.settings.extraVolumes);
    await this.#fillVolumes(volumes);
    await this.#prepareDirectory(volumes);
    const resources = await this.#docker.resources();
    const env = containerEnv(
      { nodeName: this.name, nodeId: this.id, projectId: this.project.id, projectPath: this.project.path, variables: this.project.variables },
      {
        adapters: this.settings.adapters, environment: this.settings.environment, extraHosts: this.settings.extraHosts, imageUser: image.user,
        display: this.#display,
      },
    );
    const body = containerBody({
      name: this.name,
      image: this.settings.image,
      startCommand: this.settings.startCommand,
      env,
      privileged: this.settings.privileged,
      resourcesDir: resources.dir,
      busybox: resources.busybox,
      nodeDir: this.directory,
      volumes,
      labels: {
        [LABEL_STATE]: this.#docker.stateDir, [LABEL_NODE]: this.id, [LABEL_PROJECT]: this.project.id,
        ...(this.#display !== null ? { [LABEL_DISPLAY]: String(this.#display) } : {}),
      },
      display: this.#display,
    }, image);
    this.containerId = await this.#docker.engine.create({ ...body, name: `patchbay-${this.id}` });
  }

  /**
   * First use of a persistent volume: its host folder starts with what the image has at that path (as GNS3 copies it
   * in), read from a throw-away container of the image through Docker's archive API and unpacked by tar (owners and
   * modes kept; GNU tar refuses `..` members and defers symlinks, so the image cannot write outside the folder).
   */
  async #fillVolumes(volumes: string[]): Promise<void> {
    const empty: string[] = [];
    for (const volume of volumes) {
      const dir = join(this.directory, volume);
      await mkdir(dir, { recursive: true });
      if ((await readdir(dir)).length === 0) empty.push(volume);
    }
    if (empty.length === 0) return;
    const { engine } = this.#docker;
    const scratch = await engine.create({
      Image: this.settings.image,
      // Never started; a command is only there because Docker refuses to create a container of an image without one.
      Entrypoint: ['/patchbay-never-started'],
      Labels: { [LABEL_STATE]: this.#docker.stateDir },
      name: `patchbay-fill-${randomUUID()}`,
    });
    try {
      for (const volume of empty) {
        const archive = await engine.archive(scratch, volume);
        if (archive) await untar(archive, join(this.directory, volume));
      }
    } finally {
      await engine.remove(scratch);
    }
  }

  /** The node directory with one folder per persistent volume and GNS3's commented `etc/network/interfaces` sample. */
  async #prepareDirectory(volumes: string[]): Promise<void> {
    for (const volume of volumes) await mkdir(join(this.directory, volume), { recursive: true });
    const network = join(this.directory, 'etc', 'network');
    for (const sub of ['if-up.d', 'if-down.d', 'if-pre-up.d', 'if-post-down.d', 'interfaces.d']) {
      await mkdir(join(network, sub), { recursive: true });
    }
    const interfaces = join(network, 'interfaces');
    try {
      await access(interfaces);
    } catch {
      await writeFile(interfaces, interfacesSample(this.name, this.settings.adapters));
    }
  }

  protected portKey({ adapter }: PortRef): string {
    // The port number is ignored, as GNS3 does: adapter n is eth<n>.
    if (adapter >= this.settings.adapters) {
      throw fail('DOCKER_ADAPTER_MISSING', adapter, this.name);
    }
    return String(adapter);
  }

  protected get emulatorName(): string {
    return `Docker container '${this.name}'`;
  }

  /** No UDP tunnels: every adapter's bridge has a TAP side in the container instead. */
  protected portKeys(): string[] {
    return [];
  }

  /** Every adapter is bridged while running, linked or not: the init script waits for the last eth<n> to appear. */
  protected override bridgedPorts(): string[] {
    return Array.from({ length: this.settings.adapters }, (_, adapter) => String(adapter));
  }

  /**
   * The relay worker creates the TAP device and keeps its file descriptor (as uBridge does for GNS3), then moves it
   * into the container as eth<n> (also when it rebuilds the bridge after a worker crash). The TAP is not persistent:
   * it disappears when the bridge is deleted, so nothing is left on the host or in the container after a stop or a
   * crash.
   */
  protected override async emulatorEndpoint(key: string): Promise<NodeEndpoint> {
    const adapter = Number(key);
    const netns = { pid: this.run!.pid, name: `eth${adapter}`, mac: this.#mac(adapter) };
    return { kind: 'tap', device: tapName(this.id, adapter), netns };
  }

  /** The link side of an adapter's bridge: its NIO, or its parked port with every frame dropped. */
  protected override async linkSide(key: string): Promise<Required<BridgePatch>> {
    if (this.nios.has(key)) return super.linkSide(key);
    let port = this.#parked.get(key);
    if (port === undefined) {
      port = await this.host.udpPorts.allocate(this.owner);
      this.#parked.set(key, port);
    }
    return { nio: { lport: port, rhost: '127.0.0.1', rport: port }, filters: {}, suspend: true };
  }

  override async start(): Promise<void> {
    if (this.status === 'suspended') return this.resume();
    await super.start();
  }

  /** The VNC server (before the container: Docker binds the display's socket at start), the TTY attach, the container. */
  protected async launch(): Promise<DockerRun> {
    requireCapabilities(['CAP_NET_ADMIN'], `Docker node "${this.name}"`);
    const { engine } = this.#docker;
    const exit = await engine.nextExit(this.containerId);
    let attach: ReturnType<typeof ttyBackend> | null = null;
    let vnc: VncServer | null = null;
    try {
      if (this.#display !== null) vnc = await this.#startVnc(this.#display);
      if (this.settings.consoleType === 'telnet') attach = ttyBackend(engine, this.containerId, await engine.attach(this.containerId));
      await engine.start(this.containerId);
      const { pid, running } = await engine.state(this.containerId);
      if (!running) throw fail('DOCKER_EXITED_AT_START', this.name, await engine.logs(this.containerId));
      const id = this.containerId;
      const process: EmulatorProcess = {
        // A failed wait (dockerd restarted) counts as an exit: the container can no longer be followed.
        exited: exit.exited.then((code) => ({ code, signal: null }), () => ({ code: null, signal: null })),
        stop: (graceMs) => engine.stop(id, Math.ceil(graceMs / 1000)),
      };
      return { process, pid, tty: attach, console: null, aux: null, http: null, vnc, backends: attach ? [attach] : [] };
    } catch (err) {
      attach?.close();
      await vnc?.stop(0);
      await engine.stop(this.containerId, 0).catch(() => {});
      throw err;
    }
  }

  /** Consoles, while the interfaces are being plugged in. */
  protected override async attach(run: DockerRun): Promise<void> {
    const { consoleHost, tcpPorts } = this.host;
    const { engine } = this.#docker;
    if (run.tty && this.console !== null) {
      const opened = await openConsole(tcpPorts, this.owner, consoleHost, this.console, run.tty);
      run.console = opened.console;
      this.console = opened.port;
    }
    if ((this.settings.consoleType === 'http' || this.settings.consoleType === 'https') && this.console !== null) {
      run.http = await httpForwarder(engine, this.containerId, consoleHost, this.console, this.settings.consoleHttpPort);
    }
    if (this.aux !== null) {
      const shell = await auxShellBackend(engine, this.containerId);
      run.backends.push(shell);
      const opened = await openConsole(tcpPorts, this.owner, consoleHost, this.aux, shell);
      run.aux = opened.console;
      this.aux = opened.port;
    }
  }

  /** Consoles and the VNC server go, then the container stops (unpaused first: a frozen process gets no signal). */
  protected async halt(run: DockerRun, graceMs: number): Promise<void> {
    for (const backend of run.backends) backend.close();
    const vnc = run.vnc;
    run.vnc = null;
    await Promise.allSettled([run.console?.close(), run.aux?.close(), run.http?.close(), vnc?.stop(VNC_STOP_GRACE_MS)]);
    if (this.status === 'suspended') await this.#docker.engine.unpause(this.containerId).catch(() => {});
    await run.process.stop(graceMs);
  }

  protected logTail(): Promise<string> {
    return this.#docker.engine.logs(this.containerId);
  }

  protected startFailed(reason: string): PatchbayError {
    return fail('DOCKER_START_FAILED', this.name, reason);
  }

  /** Xvfb and x11vnc for this run; either one ending on its own is reported, as GNS3 does (the node keeps running). */
  async #startVnc(display: number): Promise<VncServer> {
    let vnc: VncServer;
    try {
      vnc = await startVncServer({
        display, resolution: this.settings.consoleResolution, host: this.host.consoleHost, port: this.console!, directory: this.directory,
      });
    } catch (err) {
      if (err instanceof PatchbayError) throw err;
      throw fail('DOCKER_VNC_FAILED', this.name, (err as Error).message);
    }
    void vnc.exited.then(async (info) => {
      if (this.run?.vnc !== vnc) return;
      this.run.vnc = null;
      await vnc.stop(0);
      this.host.notify('log.error', {
        message: `The vnc process has stopped with return code ${info.code ?? info.signal} for node '${this.name}'. Please restart this node.`,
      }, this.project.id);
    });
    return vnc;
  }

  #mac(adapter: number): string {
    const custom = this.settings.customAdapters.find((a) => a.adapter_number === adapter)?.mac_address;
    return custom?.toLowerCase() ?? adapterMac(this.settings.macAddress, adapter);
  }

  override async suspend(): Promise<void> {
    await this.#docker.engine.pause(this.containerId);
    this.setStatus('suspended');
  }

  override async resume(): Promise<void> {
    await this.#docker.engine.unpause(this.containerId);
    this.setStatus('started');
  }

  override async consoleReset(): Promise<void> {
    // Clients of the multiplexer are independent; a reset drops them, as re-opening GNS3's console server does.
    const run = this.run;
    if (!run?.console || this.console === null) return;
    const { engine } = this.#docker;
    const attach = ttyBackend(engine, this.containerId, await engine.attach(this.containerId));
    await run.console.close();
    run.backends.push(attach);
    run.console = (await openConsole(this.host.tcpPorts, this.owner, this.host.consoleHost, this.console, attach)).console;
  }

  /** Stops the container (killed outright: it is going away), removes it, then gives back every port. */
  override async close(): Promise<void> {
    await super.close();
    await this.#docker.engine.remove(this.containerId);
    this.#parked.clear();
    this.#setDisplay(null);
  }

  async update(fields: DockerUpdate): Promise<void> {
    const next: DockerSettings = { ...this.settings };
    if (fields.console_type !== undefined) next.consoleType = fields.console_type;
    if (fields.console_resolution != null) next.consoleResolution = fields.console_resolution;
    if (fields.console_http_port !== undefined) next.consoleHttpPort = fields.console_http_port;
    if (fields.console_http_path !== undefined) next.consoleHttpPath = fields.console_http_path;
    if (fields.start_command !== undefined) next.startCommand = text(fields.start_command);
    if (fields.environment !== undefined) next.environment = fields.environment;
    if (fields.extra_hosts !== undefined) next.extraHosts = fields.extra_hosts;
    if (fields.extra_volumes !== undefined) next.extraVolumes = fields.extra_volumes;
    if (fields.adapters != null) next.adapters = fields.adapters;
    if (fields.privileged !== undefined) next.privileged = fields.privileged;
    if (fields.custom_adapters !== undefined) next.customAdapters = fields.custom_adapters;
    if (fields.mac_address !== undefined) next.macAddress = (fields.mac_address || defaultBaseMac(this.id)).toLowerCase();
    checkStartCommand(next.startCommand);
    if (next.consoleType === 'vnc') {
      await vncPrograms();
      if (fields.console != null && fields.console < LOWEST_VNC_PORT) throw fail('DOCKER_VNC_PORT_TOO_LOW', fields.console);
    }
    const renamed = fields.name !== undefined && fields.name !== this.name;
    const consoleMoved = fields.console != null && fields.console !== this.console;
    const auxMoved = fields.aux != null && fields.aux !== this.aux;
    const changed = renamed || consoleMoved || auxMoved || JSON.stringify(next) !== JSON.stringify(this.settings);
    if (!changed) {
      this.emitUpdated();
      return;
    }
    const image = await this.#image();
    const wasRunning = this.status !== 'stopped';
    if (wasRunning) await this.stop();
    await this.#docker.engine.remove(this.containerId);
    const { tcpPorts } = this.host;
    if (next.consoleType !== this.settings.consoleType || consoleMoved) {
      tcpPorts.release(this.console);
      this.console = null;
      await this.#allocateConsole(next.consoleType, fields.console);
    }
    if (auxMoved) {
      tcpPorts.release(this.aux);
      this.aux = await tcpPorts.reserve(fields.aux!, this.owner);
    }
    for (const key of [...this.nios.keys()]) if (Number(key) >= next.adapters) this.nios.delete(key);
    if (renamed) this.name = fields.name!;
    this.settings = next;
    await this.#createContainer(image);
    if (wasRunning) await this.start();
    this.emitUpdated();
  }

  /** A link removed while running: the adapter goes back to its parked port (GNS3 keeps the interface too). */
  protected override async nioRemoved(key: string): Promise<void> {
    if (!this.isBridged(key)) return;
    this.nios.delete(key);
    await this.host.relay.updateBridge(this.bridgeId(key), await this.linkSide(key));
  }
}

/** Unpacks a Docker archive (its top entry is the path's own folder) into `dir`. */
function untar(archive: NodeJS.ReadableStream, dir: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const tar = spawn('tar', ['-x', '-p', '--strip-components=1', '-C', dir], { stdio: ['pipe', 'ignore', 'pipe'] });
    let stderr = '';
    tar.stderr.on('data', (chunk) => (stderr += chunk));
    tar.once('error', reject);
    tar.once('close', (code) => (code === 0 ? resolve() : reject(new Error(`tar: ${stderr.trim() || `exit code ${code}`}`))));
    tar.stdin.on('error', () => {});
    archive.on('error', (err: Error) => tar.stdin.destroy(err));
    archive.pipe(tar.stdin);
  });
}

function checkStartCommand(command: string | null): void {
  if (!command) return;
  try {
    splitShellWords(command);
  } catch (err) {
    if (err instanceof ShellWordsError) throw fail('DOCKER_START_COMMAND_INVALID', command, err.message);
    throw err;
  }
}

/** The commented sample GNS3 writes into a new node's `/etc/network/interfaces`. */
export function interfacesSample(hostname: string, adapters: number): string {
  const lines = [
    '#',
    '# This is a sample network config, please uncomment lines to configure the network',
    '#',
    '',
    '# Uncomment this line to load custom interface files',
    '# source /etc/network/interfaces.d/*',
    '',
  ];
  for (let n = 0; n < adapters; n++) {
    lines.push(
      `# Static config for eth${n}`,
      `#auto eth${n}`,
      `#iface eth${n} inet static`,
      `#\taddress 192.168.${n}.2`,
      '#\tnetmask 255.255.255.0',
      `#\tgateway 192.168.${n}.1`,
      '#\tup echo nameserver 192.168.0.1 > /etc/resolv.conf',
      '',
      `# DHCP config for eth${n}`,
      `#auto eth${n}`,
      `#iface eth${n} inet dhcp`,
      `#\thostname ${hostname}`,
      '',
    );
  }
  return lines.join('\n');
}
