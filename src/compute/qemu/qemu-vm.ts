/**
 * A running QEMU VM: the process and everything that lives only while it runs (HMP monitor, serial console, helper
 * processes such as swtpm or cpulimit, CPU/memory samples). The node (qemu-node.ts) keeps the settings and creates one
 * of these per start; the EmulatorNode lifecycle decides when it is attached and halted.
 */
import { closeSync, openSync, writeSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { tcpBackend } from '../console/backends.ts';
import { TelnetConsole } from '../console/telnet-console.ts';
import type { EmulatorRun } from '../emulator-node.ts';
import { Supervised } from '../../process/supervised.ts';
import { processUsage, type ProcessUsage } from '../../process/usage.ts';
import { HmpMonitor } from './monitor.ts';
import { fail } from '../../errors/index.ts';

const STATS_INTERVAL_MS = 2000;
/** Snapshot name GNS3 uses for `on_close: save_vm_state`. */
export const SAVED_STATE = 'GNS3_SAVED_STATE';

export type OnClose = 'power_off' | 'shutdown_signal' | 'save_vm_state';

export type VmConsole = { host: string; port: number; internalPort: number };

export class QemuVm implements EmulatorRun {
  readonly process: Supervised;
  readonly #directory: string;
  readonly #monitorPort: number;
  readonly #helpers: Supervised[];
  readonly #warn: (message: string) => void;
  #monitor: HmpMonitor | null = null;
  #console: VmConsole | null = null;
  #telnet: TelnetConsole | null = null;
  #closeBackend: (() => void) | null = null;
  #statsTimer: ReturnType<typeof setInterval> | null = null;
  #stats: ProcessUsage | null = null;

  private constructor(process: Supervised, directory: string, monitorPort: number, helpers: Supervised[], warn: (message: string) => void) {
    this.process = process;
    this.#directory = directory;
    this.#monitorPort = monitorPort;
    this.#helpers = helpers;
    this.#warn = warn;
  }

  /**
   * Starts QEMU with `args` in `directory`, its output (after the command line, as GNS3 writes it) in qemu.log.
   * `helpers` are processes started for it (swtpm): from here on the VM owns them and stops them with itself.
   */
  static async spawn(args: string[], options: { directory: string; commandLine: string; monitorPort: number; helpers: Supervised[]; warn: (message: string) => void }): Promise<QemuVm> {
    const fd = openSync(join(options.directory, 'qemu.log'), 'w');
    try {
      writeSync(fd, `Start QEMU with ${options.commandLine}\n\nExecution log:\n`);
      const process = await Supervised.spawn(args[0]!, args.slice(1), { cwd: options.directory, output: fd });
      return new QemuVm(process, options.directory, options.monitorPort, options.helpers, options.warn);
    } catch (err) {
      throw fail('QEMU_SPAWN_FAILED', args[0]!, (err as Error).message);
    } finally {
      closeSync(fd);
    }
  }

  /** A helper process started after QEMU (cpulimit), stopped with the VM. */
  adopt(helper: Supervised): void {
    this.#helpers.push(helper);
  }

  /** Connects the monitor, then once the bridges are `wired` sets unlinked NICs' carrier down and opens the console. */
  async attach(options: { linksDown: string[]; console: VmConsole | null; wired: Promise<void> }): Promise<void> {
    this.#monitor = await this.#untilExit(HmpMonitor.connect(this.#monitorPort));
    await options.wired;
    for (const key of options.linksDown) await this.#monitor.command(`set_link gns3-${key} off`);
    if (options.console) {
      this.#console = options.console;
      await this.#openConsole(options.console);
    }
    this.#statsTimer = setInterval(() => void this.#sampleStats(), STATS_INTERVAL_MS);
    this.#statsTimer.unref?.();
    // A first sample now, so the node JSON answered by start already carries the process figures.
    await this.#sampleStats();
  }

  /** CPU and memory of the QEMU process, refreshed every 2 s; null until the first sample. */
  get stats(): ProcessUsage | null {
    return this.#stats;
  }

  /** Mirrors a link state into the guest NIC (carrier up/down); HMP answers errors as text, which only warn. */
  async setLink(key: string, up: boolean): Promise<void> {
    if (!this.#monitor) return;
    const answer = await this.#monitor.command(`set_link gns3-${key} ${up ? 'on' : 'off'}`);
    if (answer) this.#warn(`set_link gns3-${key}: ${answer}`);
  }

  async pause(): Promise<boolean> {
    if (!this.#monitor) return false;
    await this.#monitor.command('stop');
    return true;
  }

  async resume(): Promise<boolean> {
    if (!this.#monitor) return false;
    await this.#monitor.command('cont');
    return true;
  }

  async reset(): Promise<void> {
    await this.#monitor?.command('system_reset');
  }

  async consoleReset(): Promise<void> {
    if (!this.#telnet || !this.#console) return;
    await this.#telnet.close();
    this.#closeBackend?.();
    await this.#openConsole(this.#console);
  }

  /**
   * Ends the VM and everything attached to it. `graceMs` bounds the on_close action: 0 kills at once (failed start,
   * exit); otherwise the guest is first shut down or saved per `onClose`.
   */
  async halt(graceMs: number, onClose: OnClose): Promise<void> {
    if (this.#statsTimer) clearInterval(this.#statsTimer);
    this.#stats = null;
    try {
      if (graceMs > 0) await this.#onClose(onClose, graceMs);
    } finally {
      this.#monitor?.close();
      await this.process.stop(graceMs > 0 ? 3000 : 0);
      await this.#telnet?.close();
      this.#closeBackend?.();
      await Promise.all(this.#helpers.map((helper) => helper.stop()));
    }
  }

  async #openConsole(console: VmConsole): Promise<void> {
    const backend = await this.#untilExit(tcpBackend(console.internalPort));
    this.#closeBackend = () => backend.socket.destroy();
    this.#telnet = await TelnetConsole.listen(console.host, console.port, backend);
  }

  /** GNS3's on_close: ACPI shutdown or save the VM state before the process is ended; errors fall through to a kill. */
  async #onClose(onClose: OnClose, graceMs: number): Promise<void> {
    const monitor = this.#monitor;
    if (!monitor || !this.process.alive) return;
    const exited = () => Promise.race([this.process.exited.then(() => true), sleep(graceMs).then(() => false)]);
    try {
      if (onClose === 'shutdown_signal') {
        await monitor.command('system_powerdown');
        await exited();
      } else if (onClose === 'save_vm_state') {
        await monitor.command('stop');
        const answer = await monitor.command(`savevm ${SAVED_STATE}`, graceMs);
        if (answer) this.#warn(`savevm: ${answer}`);
      }
    } catch {
      // The monitor went away (guest already off) or timed out: the process is stopped below either way.
    }
  }

  async #sampleStats(): Promise<void> {
    if (!this.process.alive) return;
    const usage = await processUsage(this.process.pid);
    if (usage && this.process.alive) this.#stats = usage;
  }

  /** Waits for `task`, failing early with QEMU's own log when the process exits first (bad option, missing file...). */
  async #untilExit<T>(task: Promise<T>): Promise<T> {
    task.catch(() => {});
    const early = this.process.exited.then(async (info) => {
      throw fail('QEMU_EXITED_DURING_START', String(info.code ?? info.signal), (await readQemuLog(this.#directory)).trim());
    });
    early.catch(() => {});
    return Promise.race([task, early]);
  }
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** The end of a node's qemu.log, for crash notifications and early-exit errors. */
export async function readQemuLog(directory: string): Promise<string> {
  try {
    return (await readFile(join(directory, 'qemu.log'), 'utf8')).slice(-4096);
  } catch {
    return '';
  }
}
