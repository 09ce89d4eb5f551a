/**
 * Nodes backed by an emulator (VPCS, QEMU, Dynamips, Docker), and the one lifecycle they share.
 *
 * Data plane: each adapter/port gets a local UDP tunnel (the emulator listens on port A and sends to port B); the relay
 * bridges B with the port's NIO, so links, filters and captures change while the emulator runs, as GNS3 does with
 * uBridge. A driver whose guest has real interfaces (Docker) gives its bridges a TAP side instead of a tunnel.
 *
 * Lifecycle (this class): `start()` checks the NIOs, allocates the tunnels, calls `launch()`, watches the exit, then
 * wires the bridges while `attach()` runs, and sets `started`. `stop()`, an exit of the emulator, or a start that fails
 * once it runs all end in `halt()` with the bridges unwired, the tunnels given back and status `stopped`; a start that
 * fails before (allocating the tunnels, in `launch()`) gives back the tunnels at once. An exit nobody asked for with a
 * non-zero code also raises a `log.error` notification quoting `logTail()`.
 *
 * What a driver provides (extension points):
 * - `launch()`: starts the emulator against `this.tunnels` and returns its run handle, which carries at least
 *   `process` (anything with `exited` and `stop(graceMs)`: a `Supervised` process, a container...). Everything the
 *   running emulator owns (console, monitor, helper processes) lives on that handle, never on the node.
 * - `attach(run, wired)`: connects what needs the running emulator (console backend, monitor). The bridges are being
 *   wired meanwhile; `wired` resolves once they exist, for what should only appear then (the public console).
 * - `halt(run, graceMs)`: ends the emulator and what hangs on the handle; `graceMs` 0 means at once.
 * - `logTail()`, `emulatorName`, `startFailed(reason)`: what crash notifications and start errors quote.
 * - `stopGraceMs` / `closingGraceMs`: how long `stop()` lets the emulator exit cleanly (shorter on project close).
 * Port numbering is the driver's too: `portKey(ref)` (validation) and `portKeys()` (every port that gets a tunnel).
 * Bridges: `bridgedPorts()` (which ports get one while running: those with a NIO), `emulatorEndpoint(key)` (its node
 * side: the tunnel, or a device), `linkSide(key)` (its link side: the NIO).
 */
import { existsSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import type { Nio } from './schemas.ts';
import { BaseNode } from './node.ts';
import type { ExitInfo } from '../process/supervised.ts';
import { fail, isError, type PatchbayError } from '../errors/index.ts';
import type { BridgePatch, NodeEndpoint } from '../relay/types.ts';

export type Tunnel = { emulatorPort: number; relayPort: number };

/** What the lifecycle needs of an emulator "process". */
export type EmulatorProcess = {
  readonly exited: Promise<ExitInfo>;
  stop(graceMs: number): Promise<unknown>;
};

/** A running emulator: its process, plus whatever the driver attaches to it. */
export type EmulatorRun = { readonly process: EmulatorProcess };

export abstract class EmulatorNode<R extends EmulatorRun = EmulatorRun> extends BaseNode {
  /** The running emulator, or null while stopped. */
  protected run: R | null = null;
  /** Tunnels by port key, allocated for a run (ensureTunnels) and given back when it ends (see #teardown). */
  protected readonly tunnels = new Map<string, Tunnel>();
  /** Port keys whose bridge currently exists in the relay. */
  readonly #bridges = new Set<string>();
  #closing = false;

  /** `VPCS`, `QEMU`, ... as messages name the emulator. */
  protected abstract readonly emulatorName: string;
  /** How long `stop()` waits for a graceful exit; during project close and shutdown, `closingGraceMs`. */
  protected readonly stopGraceMs: number = 0;
  protected readonly closingGraceMs: number = 0;

  /** Port keys of every adapter/port the emulator has. */
  protected abstract portKeys(): string[];
  protected abstract launch(): Promise<R>;
  protected async attach(_run: R, _wired: Promise<void>): Promise<void> {}
  protected abstract halt(run: R, graceMs: number): Promise<void>;
  protected abstract logTail(): Promise<string>;
  /** The error of a start that failed with something other than a patchbay error. */
  protected abstract startFailed(reason: string): PatchbayError;

  async start(): Promise<void> {
    if (this.run) return;
    this.checkNios();
    let run: R;
    try {
      await this.ensureTunnels();
      // A stat on the main thread instead of a thread-pool round trip at every start: the directory exists after the
      // first one, and under concurrent starts the pool is busy with state-file fsyncs (mkdir waited 4-9 ms there).
      if (!existsSync(this.directory)) await mkdir(this.directory, { recursive: true });
      run = await this.launch();
    } catch (err) {
      // Nothing runs that could hold them: give the tunnels back now, not at the next start (a node left stopped after
      // a failed start would keep its ports reserved until it is deleted).
      this.releaseTunnels();
      throw isError(err) ? err : this.startFailed((err as Error).message);
    }
    this.run = run;
    void run.process.exited.then((info) => this.#exited(run, info));
    // The relay bridge does not need the emulator to be ready: wire it while the emulator boots.
    const wired = this.wireAll();
    wired.catch(() => {}); // Awaited below; this only keeps an early failure from counting as unhandled.
    try {
      await this.attach(run, wired);
      await wired;
    } catch (err) {
      await wired.catch(() => {});
      await this.#teardown(0);
      throw isError(err) ? err : this.startFailed((err as Error).message);
    }
    this.setStatus('started');
  }

  async stop(): Promise<void> {
    await this.#teardown(this.#closing ? this.closingGraceMs : this.stopGraceMs);
    this.setStatus('stopped');
  }

  override async close(): Promise<void> {
    this.#closing = true;
    try {
      await super.close();
    } finally {
      this.#closing = false;
    }
    this.tunnels.clear();
  }

  /** Every NIO must be UDP: the emulator side of a port is always a UDP tunnel to the relay. */
  protected checkNios(): void {
    for (const nio of this.nios.values()) if (nio.type !== 'nio_udp') throw fail('NIO_NOT_UDP');
  }

  /** Ends the run (bridges and emulator together); status changes are the caller's. */
  async #teardown(graceMs: number): Promise<void> {
    const run = this.run;
    if (!run) return;
    this.run = null;
    const results = await Promise.allSettled([this.unwireAll(), this.halt(run, graceMs)]);
    // The tunnel ports go back to the pool once neither the emulator nor the relay holds them, and are allocated, and
    // so probed, again at the next start: a port taken meanwhile (an outgoing connection, when the range overlaps the
    // kernel's ephemeral range) would otherwise leave the next run without a data plane, silently.
    this.releaseTunnels();
    const failed = results.find((r) => r.status === 'rejected');
    if (failed) throw (failed as PromiseRejectedResult).reason;
  }

  async #exited(run: R, info: ExitInfo): Promise<void> {
    if (this.run !== run) return;
    await this.#teardown(0);
    this.setStatus('stopped');
    if (info.code !== 0) {
      const message = `${this.emulatorName} process has stopped, return code: ${info.code ?? info.signal}\n${await this.logTail()}`;
      this.host.notify('log.error', { message }, this.project.id);
    }
  }

  // ---------------------------------------------------------------- data plane

  /** Allocates the tunnel of every port that lacks one (called before launching the emulator). */
  protected async ensureTunnels(): Promise<void> {
    for (const key of this.portKeys()) {
      if (this.tunnels.has(key)) continue;
      const emulatorPort = await this.host.udpPorts.allocate(this.owner);
      const relayPort = await this.host.udpPorts.allocate(this.owner).catch((err: unknown) => {
        this.host.udpPorts.release(emulatorPort);
        throw err;
      });
      this.tunnels.set(key, { emulatorPort, relayPort });
    }
  }

  /** Gives back every tunnel (their ports too); they are allocated again at the next start. */
  protected releaseTunnels(): void {
    for (const tunnel of this.tunnels.values()) {
      this.host.udpPorts.release(tunnel.emulatorPort);
      this.host.udpPorts.release(tunnel.relayPort);
    }
    this.tunnels.clear();
  }

  protected bridgeId(key: string): string {
    return `${this.id}:${key}`;
  }

  /** The node side of a port's bridge: the relay's end of the port's tunnel to the emulator. */
  protected async emulatorEndpoint(key: string): Promise<NodeEndpoint> {
    const tunnel = this.tunnels.get(key)!;
    return { lport: tunnel.relayPort, rhost: '127.0.0.1', rport: tunnel.emulatorPort };
  }

  /** The link side of a port's bridge: its NIO, which must be UDP. */
  protected async linkSide(key: string): Promise<Required<BridgePatch>> {
    const nio = this.nios.get(key);
    if (nio?.type !== 'nio_udp') throw fail('NIO_NOT_UDP');
    return { nio: { lport: nio.lport, rhost: nio.rhost, rport: nio.rport }, filters: nio.filters, suspend: nio.suspend };
  }

  /** Ports whose bridge exists while the emulator runs: those with a NIO. */
  protected bridgedPorts(): string[] {
    return [...this.nios.keys()];
  }

  protected isBridged(key: string): boolean {
    return this.#bridges.has(key);
  }

  /** Creates the relay bridge of a port, replacing any previous one. */
  protected async wire(key: string): Promise<void> {
    const link = await this.linkSide(key);
    const id = this.bridgeId(key);
    if (this.#bridges.has(key)) await this.unwire(key);
    await this.host.relay.createBridge(id, { emulator: await this.emulatorEndpoint(key), ...link });
    this.#bridges.add(key);
    const capture = this.captures.get(key);
    if (capture) await this.host.relay.startCapture(id, capture);
  }

  protected async unwire(key: string): Promise<void> {
    if (!this.#bridges.delete(key)) return;
    await this.host.relay.deleteBridge(this.bridgeId(key));
  }

  /** Wires every bridged port; called once the emulator runs. */
  protected async wireAll(): Promise<void> {
    for (const key of this.bridgedPorts()) await this.wire(key);
  }

  protected async unwireAll(): Promise<void> {
    await Promise.all([...this.#bridges].map((key) => this.unwire(key)));
  }

  protected async nioChanged(key: string, _nio: Nio): Promise<void> {
    if (this.status === 'stopped') return;
    if (this.#bridges.has(key)) await this.host.relay.updateBridge(this.bridgeId(key), await this.linkSide(key));
    else await this.wire(key);
  }

  protected async nioRemoved(key: string): Promise<void> {
    await this.unwire(key);
  }

  protected async captureChanged(key: string, file: string | null): Promise<void> {
    if (!this.#bridges.has(key)) return;
    const id = this.bridgeId(key);
    if (file) await this.host.relay.startCapture(id, file);
    else await this.host.relay.stopCapture(id);
  }
}
