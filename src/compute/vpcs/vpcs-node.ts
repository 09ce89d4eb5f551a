/** A VPCS node: one Ethernet port, a telnet console served by the agent, and the emulator process. */
import { openSync, closeSync, existsSync } from 'node:fs';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { VpcsCreate, VpcsUpdate } from './schemas.ts';
import { pipeBackend, tcpBackend } from '../console/backends.ts';
import { closeSlave, openPty, ptyBackend, ptyUnsupported, type Pty } from '../console/pty.ts';
import { openConsole, type ConsoleBackend, type TelnetConsole } from '../console/telnet-console.ts';
import { EmulatorNode } from '../emulator-node.ts';
import type { NodeInit, PortRef } from '../node.ts';
import { Supervised, type ExitInfo } from '../../process/supervised.ts';
import { findVpcs, type VpcsBinary } from './binary.ts';
import { fail, isError } from '../../errors/index.ts';

const PORT_KEY = '0/0';
/** Only where no in-process terminal can be opened (Deno): a python3 helper holds the terminal instead. */
const PTY_HELPER = fileURLToPath(new URL('../console/pty-exec.py', import.meta.url));

export type VpcsInit = NodeInit & { macId: number };

export class VpcsNode extends EmulatorNode {
  readonly type = 'vpcs';
  readonly module = 'vpcs';
  readonly macId: number;
  protected override readonly nioTypes = ['nio_udp', 'nio_tap'];
  console: number | null = null;
  consoleType: 'telnet' | 'none';
  commandLine = '';
  /** The emulator's own console port (VPCS ≥ 0.6.1 listens on it; we front it with the public one). */
  #internalConsole: number | null = null;
  #telnet: TelnetConsole | null = null;
  #backend: ConsoleBackend | null = null;
  #backendClose: (() => void) | null = null;
  #outputTail = '';

  private constructor(init: VpcsInit, consoleType: 'telnet' | 'none') {
    super(init);
    this.macId = init.macId;
    this.consoleType = consoleType;
  }

  static async create(init: VpcsInit, fields: VpcsCreate): Promise<VpcsNode> {
    const node = new VpcsNode(init, fields.console_type);
    const { tcpPorts } = init.host;
    try {
      if (node.consoleType === 'telnet') {
        node.console = fields.console != null
          ? await tcpPorts.reserve(fields.console, node.owner)
          : await tcpPorts.allocate(node.owner);
      }
      node.#internalConsole = await tcpPorts.allocate(node.owner);
      if (fields.startup_script != null) await node.#writeStartupScript(fields.startup_script);
    } catch (err) {
      tcpPorts.releaseOwnedBy(node.owner);
      throw err;
    }
    return node;
  }

  get #startupFile(): string {
    return join(this.directory, 'startup.vpc');
  }

  async #writeStartupScript(script: string): Promise<void> {
    await mkdir(this.directory, { recursive: true });
    if (existsSync(this.#startupFile)) return;
    await writeFile(this.#startupFile, script.replaceAll('%h', this.name));
  }

  toJSON() {
    return {
      name: this.name,
      node_id: this.id,
      project_id: this.project.id,
      node_directory: this.directory,
      status: this.status,
      console: this.console,
      console_type: this.consoleType,
      command_line: this.commandLine,
    };
  }

  protected portKey({ port }: PortRef): string {
    // VPCS has one adapter with one port; like GNS3 the adapter number is ignored.
    if (port !== 0) throw fail('VPCS_PORT_MISSING', port);
    return PORT_KEY;
  }

  protected portKeys(): string[] {
    return [PORT_KEY];
  }

  async start(): Promise<void> {
    const binary = await findVpcs(this.host.binaries.vpcs ?? 'vpcs');
    if (this.process) return;
    const nio = this.nios.get(PORT_KEY);
    if (nio && nio.type !== 'nio_udp') throw fail('NIO_NOT_UDP');
    await this.ensureTunnels();
    await mkdir(this.directory, { recursive: true });
    // VPCS < 0.6.1 needs a terminal: ours when this runtime can pass one to a child, else the helper's.
    const helperReason = binary.gns3Mode ? null : ptyUnsupported();
    if (helperReason) {
      this.host.notify('log.warning', {
        message: `VPCS ${binary.version} needs a terminal and ${helperReason}: running it behind the python3 pty helper (one more process per node)`,
      }, this.project.id);
    }
    const [file, args] = this.#commandLine(binary, helperReason !== null);
    this.commandLine = [file, ...args].join(' ');
    const logFd = binary.gns3Mode ? openSync(join(this.directory, 'vpcs.log'), 'w') : null;
    let pty: Pty | null = null;
    let proc: Supervised;
    try {
      if (!binary.gns3Mode && !helperReason) pty = await openPty();
      const output = logFd ?? (pty ? { terminal: pty.slave } : 'pipe');
      proc = await Supervised.spawn(file, args, { cwd: this.directory, output });
    } catch (err) {
      if (pty) closeSync(pty.master);
      throw fail('VPCS_SPAWN_FAILED', binary.path, (err as Error).message);
    } finally {
      if (logFd !== null) closeSync(logFd);
      if (pty) closeSlave(pty);
    }
    this.process = proc;
    this.#outputTail = '';
    void proc.exited.then((info) => this.#exited(proc, info));
    // The relay bridge does not need the emulator to be ready: wire it while VPCS boots.
    const wired = this.wireAll();
    wired.catch(() => {}); // Awaited below; this only keeps an early failure from counting as unhandled.
    try {
      if (binary.gns3Mode) {
        const backend = await tcpBackend(this.#internalConsole!);
        // VPCS echoes typed characters itself once told we will not (what GNS3's wrapper sends).
        backend.write(Buffer.from([255, 251, 1]));
        this.#backend = backend;
        this.#backendClose = () => backend.socket.destroy();
      } else {
        const terminal = pty ? ptyBackend(pty) : null;
        const backend = terminal ?? pipeBackend(proc.child.stdin!, proc.child.stdout!);
        backend.onData((chunk) => {
          this.#outputTail = (this.#outputTail + chunk.toString('latin1')).slice(-2048);
        });
        this.#backend = backend;
        this.#backendClose = terminal?.close ?? null;
      }
      await wired;
      if (this.consoleType === 'telnet') await this.#openConsole();
    } catch (err) {
      await wired.catch(() => {});
      await this.#teardown();
      throw isError(err) ? err : fail('VPCS_START_FAILED', (err as Error).message);
    }
    this.setStatus('started');
  }

  #commandLine(binary: VpcsBinary, ptyHelper: boolean): [string, string[]] {
    const { emulatorPort, relayPort } = this.tunnels.get(PORT_KEY)!;
    const udp = ['-s', String(emulatorPort), '-c', String(relayPort), '-t', '127.0.0.1'];
    if (binary.gns3Mode) {
      const script = existsSync(this.#startupFile) ? ['startup.vpc'] : [];
      const relay = binary.noRelayFlag ? ['-R'] : [];
      return [binary.path, ['-p', String(this.#internalConsole), '-m', String(this.macId), '-i', '1', '-F', ...relay, ...udp, ...script]];
    }
    // Old VPCS only runs on a terminal and reads startup.vpc from its working directory by itself.
    const args = ['-m', String(this.macId), '-i', '1', ...udp];
    return ptyHelper ? ['python3', [PTY_HELPER, binary.path, ...args]] : [binary.path, args];
  }

  /** Stops the process and everything attached to it; leaves status changes to the caller. */
  async #teardown(): Promise<void> {
    const proc = this.process;
    this.process = null;
    const telnet = this.#telnet;
    this.#telnet = null;
    this.#backendClose?.();
    this.#backend = this.#backendClose = null;
    // VPCS keeps nothing worth a graceful exit (startup.vpc is only written by its `save` command) and takes
    // ~100 ms to notice SIGTERM, so it is killed outright, in parallel with unwiring and closing the console.
    const results = await Promise.allSettled([this.unwireAll(), telnet?.close(), proc?.stop(0)]);
    const failed = results.find((r) => r.status === 'rejected');
    if (failed) throw (failed as PromiseRejectedResult).reason;
  }

  async #exited(proc: Supervised, info: ExitInfo): Promise<void> {
    if (this.process !== proc) return;
    await this.#teardown();
    this.setStatus('stopped');
    if (info.code !== 0) {
      const log = await this.#log();
      this.host.notify('log.error', {
        message: `VPCS process has stopped, return code: ${info.code ?? info.signal}\n${log}`,
      }, this.project.id);
    }
  }

  async #log(): Promise<string> {
    try {
      return (await readFile(join(this.directory, 'vpcs.log'), 'utf8')).slice(-2048);
    } catch {
      return this.#outputTail;
    }
  }

  async stop(): Promise<void> {
    await this.#teardown();
    this.setStatus('stopped');
  }

  override async consoleReset(): Promise<void> {
    if (!this.#telnet || !this.#backend) return;
    await this.#telnet.close();
    await this.#openConsole();
  }

  async #openConsole(): Promise<void> {
    const opened = await openConsole(this.host.tcpPorts, this.owner, this.host.consoleHost, this.console!, this.#backend!);
    this.#telnet = opened.console;
    this.console = opened.port;
  }

  async update(fields: VpcsUpdate): Promise<void> {
    if (fields.console_type !== undefined && fields.console_type !== this.consoleType) {
      if (this.status !== 'stopped') {
        throw fail('VPCS_CONSOLE_TYPE_WHILE_RUNNING', this.name, fields.console_type);
      }
      this.consoleType = fields.console_type;
      if (this.consoleType === 'none') {
        this.host.tcpPorts.release(this.console);
        this.console = null;
      } else if (this.console === null) {
        this.console = await this.host.tcpPorts.allocate(this.owner);
      }
    }
    if (fields.console != null && fields.console !== this.console && this.consoleType === 'telnet') {
      if (this.status !== 'stopped') throw fail('VPCS_CONSOLE_PORT_WHILE_RUNNING', this.name);
      this.host.tcpPorts.release(this.console);
      this.console = await this.host.tcpPorts.reserve(fields.console, this.owner);
    }
    if (fields.name != null && fields.name !== this.name) await this.#rename(fields.name);
    this.emitUpdated();
  }

  /** Keeps startup.vpc in step with the node name, as GNS3 does. */
  async #rename(name: string): Promise<void> {
    const old = this.name;
    this.name = name;
    if (!existsSync(this.#startupFile)) return;
    const script = await readFile(this.#startupFile, 'utf8');
    const clean = name.replaceAll('\\', '');
    const renamed = script
      .split(old).join(name)
      .replace(/^set pcname .*$/gm, `set pcname ${clean}`);
    await writeFile(this.#startupFile, renamed);
  }
}
