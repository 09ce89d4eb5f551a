/**
 * A running Dynamips router: its hypervisor process and control session, and what hangs on them while it runs
 * (the Dynamips NIO of each linked port, console backends and servers, the NVRAM watch). Made by the router's
 * launch(), closed by its halt(); the router node keeps settings and JSON.
 */
import { unwatchFile, watchFile } from 'node:fs';
import { fail } from '../../errors/index.ts';
import type { TelnetConsole } from '../console/telnet-console.ts';
import type { Supervised } from '../../process/supervised.ts';
import { Hypervisor, HypervisorError } from './hypervisor.ts';

/** The agent-side TCP ports a run uses on 127.0.0.1: Dynamips' control port and its console and aux ports. */
export type RunPorts = { hypervisor: number; console: number; aux: number | null };

export class RouterRun {
  readonly process: Supervised;
  readonly ports: RunPorts;
  /** Dynamips NIO name per port key. */
  readonly nios = new Map<string, string>();
  readonly consoles: TelnetConsole[] = [];
  readonly backends: Array<{ close(): void }> = [];
  /** The ghost RAM file the VM maps, if ghosting worked. */
  ghostInUse: string | null = null;
  #hypervisor: Hypervisor | null = null;
  #watched: string | null = null;

  constructor(process: Supervised, ports: RunPorts) {
    this.process = process;
    this.ports = ports;
  }

  /** Whether the control session is up (from attach until halt). */
  get connected(): boolean {
    return this.#hypervisor !== null;
  }

  async connect(): Promise<void> {
    this.#hypervisor = await Hypervisor.connect(this.ports.hypervisor);
  }

  /** One hypervisor command; a Dynamips error reply becomes DYNAMIPS_COMMAND_FAILED with its text. */
  async send(command: string): Promise<string[]> {
    const hypervisor = this.#hypervisor;
    try {
      if (!hypervisor) throw new HypervisorError(`Dynamips hypervisor is not connected (command "${command}")`, 0);
      return await hypervisor.send(command);
    } catch (err) {
      if (err instanceof HypervisorError) throw fail('DYNAMIPS_COMMAND_FAILED', err.message);
      throw err;
    }
  }

  /** Calls `changed` when IOS rewrites its NVRAM file (`write memory`), as gns3-server's file watcher does. */
  watchNvram(file: string, changed: () => void): void {
    this.#watched = file;
    watchFile(file, { interval: 2000 }, (now, before) => {
      if (now.mtimeMs !== before.mtimeMs) changed();
    });
  }

  /** Stops the hypervisor and everything attached to it; the ports are the caller's to release. */
  async close(): Promise<void> {
    const hypervisor = this.#hypervisor;
    this.#hypervisor = null;
    this.nios.clear();
    if (this.#watched) unwatchFile(this.#watched);
    this.#watched = null;
    for (const backend of this.backends.splice(0)) backend.close();
    const consoles = this.consoles.splice(0);
    if (hypervisor && !hypervisor.closed) {
      // A clean exit lets Dynamips flush NVRAM and disks; the supervisor kills it if it does not go.
      await hypervisor.send('hypervisor stop').catch(() => undefined);
      hypervisor.close();
    }
    await Promise.all([...consoles.map((c) => c.close()), this.process.stop(2000)]);
  }
}
