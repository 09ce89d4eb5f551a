/** A VPCS node: one Ethernet port, a telnet console served by the agent, and the emulator process. */
import { closeSync, existsSync } from 'node:fs';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { VpcsCreate, VpcsUpdate } from './schemas.ts';
import { holdInputUntil, pipeBackend, tcpBackend } from '../console/backends.ts';
import { closeSlave, openPty, ptyBackend, ptyUnsupported, type Pty } from '../console/pty.ts';
import { openConsole, type ConsoleBackend, type TelnetConsole } from '../console/telnet-console.ts';
import { EmulatorNode } from '../emulator-node.ts';
import { GoneBeforeListening } from '../tcp-connect.ts';
import type { NodeInit, PortRef } from '../node.ts';
import { Supervised } from '../../process/supervised.ts';
import { findVpcs, type VpcsBinary } from './binary.ts';
import { VPCS_TIMER_SLACK_NS } from './timer-slack.ts';
import { fail, type PatchbayError } from '../../errors/index.ts';

const PORT_KEY = '0/0';
/** The end of VPCS's prompt (`VPCS> `, `PC1> `): console input is held until it first appears (see holdInputUntil). */
const PROMPT = /> $/;
/** Longest a client's input waits for that prompt. */
const PROMPT_WAIT_MS = 5000;
/** Only where no in-process terminal can be opened (Deno): a python3 helper holds the terminal instead. */
const PTY_HELPER = fileURLToPath(new URL('../console/pty-exec.py', import.meta.url));

export type VpcsInit = NodeInit & { macId: number };

/** A running VPCS: its process and the console it talks through (a TCP port, its terminal, or its stdio). */
type VpcsRun = {
  process: Supervised;
  /** The emulator's own console port (VPCS ≥ 0.6.1 listens on it; we front it with the public one). */
  internalConsole: number | null;
  gns3Mode: boolean;
  pty: Pty | null;
  backend: ConsoleBackend | null;
  closeBackend: (() => void) | null;
  telnet: TelnetConsole | null;
};

export class VpcsNode extends EmulatorNode<VpcsRun> {
  readonly type = 'vpcs';
  readonly module = 'vpcs';
  protected readonly emulatorName = 'VPCS';
  readonly macId: number;
  protected override readonly nioTypes = ['nio_udp', 'nio_tap'];
  console: number | null = null;
  consoleType: 'telnet' | 'none';
  commandLine = '';
  /** Last output of a VPCS without a log file (it talks on its terminal), for crash notifications. */
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
      if (fields.startup_script != null) await node.#writeStartupScript(fields.startup_script);
    } catch (err) {
      tcpPorts.releaseOwnedBy(node.owner);
      throw err;
    }
    return node;
  }

  /** Joined once, as the directory: every start checks for the script and names the log. */
  #startupPath: string | undefined;
  #logPath: string | undefined;

  get #startupFile(): string {
    return (this.#startupPath ??= join(this.directory, 'startup.vpc'));
  }

  get #logFile(): string {
    return (this.#logPath ??= join(this.directory, 'vpcs.log'));
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

  protected async launch(): Promise<VpcsRun> {
    const binary = await findVpcs(this.host.binaries.vpcs ?? 'vpcs');
    // VPCS < 0.6.1 needs a terminal: ours when this runtime can pass one to a child, else the helper's.
    const helperReason = binary.gns3Mode ? null : ptyUnsupported();
    if (helperReason) {
      this.host.notify('log.warning', {
        message: `VPCS ${binary.version} needs a terminal and ${helperReason}: running it behind the python3 pty helper (one more process per node)`,
      }, this.project.id);
    }
    // Allocated (and so probed) at each launch, not once at creation: VPCS exits at once when its console port is
    // taken ("Daemon bind port: Address already in use"), and a program listening on it meanwhile would even answer
    // the agent's connection in its place (the node then died behind a console refusing connections).
    const { tcpPorts } = this.host;
    const internalConsole = binary.gns3Mode ? await tcpPorts.allocate(this.owner) : null;
    const [file, args] = this.#commandLine(binary, internalConsole, helperReason !== null);
    this.commandLine = [file, ...args].join(' ');
    let pty: Pty | null = null;
    try {
      if (!binary.gns3Mode && !helperReason) pty = await openPty();
      const output = binary.gns3Mode ? { file: this.#logFile } : pty ? { terminal: pty.slave } : 'pipe';
      const process = await Supervised.spawn(file, args, { cwd: this.directory, output, timerSlackNs: VPCS_TIMER_SLACK_NS });
      this.#outputTail = '';
      return { process, internalConsole, gns3Mode: binary.gns3Mode, pty, backend: null, closeBackend: null, telnet: null };
    } catch (err) {
      tcpPorts.release(internalConsole);
      if (pty) closeSync(pty.master);
      throw fail('VPCS_SPAWN_FAILED', binary.path, (err as Error).message);
    } finally {
      if (pty) closeSlave(pty);
    }
  }

  protected override async attach(run: VpcsRun, wired: Promise<void>): Promise<void> {
    if (run.gns3Mode) {
      const port = run.internalConsole!;
      const connected = await tcpBackend(port, undefined, run.process.exited).catch(async (err: unknown) => {
        if (!(err instanceof GoneBeforeListening)) throw err;
        throw fail('VPCS_START_FAILED', `VPCS exited before its console port ${port} answered: ${(await this.logTail()).trim()}`);
      });
      // VPCS echoes typed characters itself once told we will not (what GNS3's wrapper sends).
      connected.write(Buffer.from([255, 251, 1]));
      const backend = holdInputUntil(connected, PROMPT, PROMPT_WAIT_MS);
      run.backend = backend;
      run.closeBackend = () => backend.socket.destroy();
    } else {
      const terminal = run.pty ? ptyBackend(run.pty) : null;
      const backend = terminal ?? pipeBackend(run.process.pipes!.stdin, run.process.pipes!.stdout);
      backend.onData((chunk) => {
        this.#outputTail = (this.#outputTail + chunk.toString('latin1')).slice(-2048);
      });
      run.backend = backend;
      run.closeBackend = terminal?.close ?? null;
    }
    await wired;
    if (this.consoleType === 'telnet') await this.#openConsole(run);
  }

  #commandLine(binary: VpcsBinary, internalConsole: number | null, ptyHelper: boolean): [string, string[]] {
    const { emulatorPort, relayPort } = this.tunnels.get(PORT_KEY)!;
    const udp = ['-s', String(emulatorPort), '-c', String(relayPort), '-t', '127.0.0.1'];
    if (binary.gns3Mode) {
      const script = existsSync(this.#startupFile) ? ['startup.vpc'] : [];
      const relay = binary.noRelayFlag ? ['-R'] : [];
      return [binary.path, ['-p', String(internalConsole), '-m', String(this.macId), '-i', '1', '-F', ...relay, ...udp, ...script]];
    }
    // Old VPCS only runs on a terminal and reads startup.vpc from its working directory by itself.
    const args = ['-m', String(this.macId), '-i', '1', ...udp];
    return ptyHelper ? ['python3', [PTY_HELPER, binary.path, ...args]] : [binary.path, args];
  }

  protected async halt(run: VpcsRun, _graceMs: number): Promise<void> {
    run.closeBackend?.();
    // VPCS keeps nothing worth a graceful exit (startup.vpc is only written by its `save` command) and takes
    // ~100 ms to notice SIGTERM, so it is killed outright, in parallel with unwiring and closing the console.
    await Promise.all([run.telnet?.close(), run.process.stop(0)]);
    // Its console port is allocated, and so probed, again at the next start: one taken meanwhile would make VPCS exit.
    this.host.tcpPorts.release(run.internalConsole);
  }

  protected async logTail(): Promise<string> {
    try {
      return (await readFile(this.#logFile, 'utf8')).slice(-2048);
    } catch {
      return this.#outputTail;
    }
  }

  protected startFailed(reason: string): PatchbayError {
    return fail('VPCS_START_FAILED', reason);
  }

  override async consoleReset(): Promise<void> {
    const run = this.run;
    if (!run?.telnet || !run.backend) return;
    await run.telnet.close();
    await this.#openConsole(run);
  }

  async #openConsole(run: VpcsRun): Promise<void> {
    const opened = await openConsole(this.host.tcpPorts, this.owner, this.host.consoleHost, this.console!, run.backend!);
    run.telnet = opened.console;
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
