/**
 * Drives a uBridge binary through its hypervisor text protocol (compute-api.md §5) so bench/relay.ts can run the same
 * scenarios through it. uBridge is not part of patchbay: point `--ubridge PATH` (or UBRIDGE) at a build of your own.
 */
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { connect, createServer } from 'node:net';
import type { Socket } from 'node:net';
import { tmpdir } from 'node:os';

/** A free TCP port on loopback (uBridge takes its port on the command line, like GNS3 does it). */
function freeTcpPort(): Promise<number> {
  const server = createServer();
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

export class UbridgeHypervisor {
  #child: ChildProcess;
  #socket: Socket;
  #buffered = '';
  #lines: string[] = [];
  #waiter: (() => void) | null = null;

  private constructor(child: ChildProcess, socket: Socket) {
    this.#child = child;
    this.#socket = socket;
    socket.setEncoding('utf8');
    socket.on('data', (chunk: string) => {
      this.#buffered += chunk;
      const parts = this.#buffered.split('\r\n');
      this.#buffered = parts.pop()!;
      this.#lines.push(...parts);
      this.#waiter?.();
    });
  }

  /** Starts `ubridge -H 127.0.0.1:<port>` and connects to it (retrying while it starts listening). */
  static async start(binary: string): Promise<UbridgeHypervisor> {
    const port = await freeTcpPort();
    const child = spawn(binary, ['-H', `127.0.0.1:${port}`], { cwd: tmpdir(), stdio: 'ignore' });
    const exited = new Promise<never>((_, reject) =>
      child.once('exit', (code) => reject(new Error(`ubridge exited with code ${code}`))),
    );
    exited.catch(() => undefined);
    for (let attempt = 0; ; attempt++) {
      try {
        const socket = await Promise.race([
          new Promise<Socket>((resolve, reject) => {
            const s = connect(port, '127.0.0.1', () => resolve(s));
            s.once('error', reject);
          }),
          exited,
        ]);
        return new UbridgeHypervisor(child, socket);
      } catch (error) {
        if (attempt >= 50 || child.exitCode !== null) {
          child.kill();
          throw error;
        }
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
    }
  }

  get pid(): number {
    return this.#child.pid!;
  }

  /** Sends one command and returns its reply lines; rejects on an error code (200–299). */
  async command(line: string): Promise<string[]> {
    this.#socket.write(`${line}\n`);
    const reply: string[] = [];
    for (;;) {
      while (this.#lines.length === 0) await new Promise<void>((resolve) => (this.#waiter = resolve));
      const next = this.#lines.shift()!;
      reply.push(next);
      if (next[3] !== '-') continue;
      if (Number(next.slice(0, 3)) >= 200) throw new Error(`ubridge: "${line}" → ${reply.join(' | ')}`);
      return reply;
    }
  }

  /** A started bridge forwarding lport `tunnel` ↔ emulator port and lport `nio` ↔ `rport`, all on 127.0.0.1. */
  async bridge(name: string, tunnel: number, emulatorPort: number, nio: number, rport: number): Promise<void> {
    await this.command(`bridge create ${name}`);
    await this.command(`bridge add_nio_udp ${name} ${tunnel} 127.0.0.1 ${emulatorPort}`);
    await this.command(`bridge add_nio_udp ${name} ${nio} 127.0.0.1 ${rport}`);
    await this.command(`bridge start ${name}`);
  }

  /** A started bridge between host interface `device` (AF_PACKET, as GNS3 drives it for cloud ports) and lport → sink. */
  async rawBridge(name: string, device: string, lport: number, sink: number): Promise<void> {
    await this.command(`bridge create ${name}`);
    await this.command(`bridge add_nio_linux_raw ${name} ${device}`);
    await this.command(`bridge add_nio_udp ${name} ${lport} 127.0.0.1 ${sink}`);
    await this.command(`bridge start ${name}`);
  }

  async deleteBridge(name: string): Promise<void> {
    await this.command(`bridge delete ${name}`);
  }

  /** `hypervisor stop` (it closes the connection without a reply), then a kill if it has not exited within a second. */
  async stop(): Promise<void> {
    const exited = new Promise<void>((resolve) => {
      if (this.#child.exitCode !== null) resolve();
      else this.#child.once('exit', () => resolve());
    });
    this.#socket.end('hypervisor stop\n');
    const timer = setTimeout(() => this.#child.kill('SIGKILL'), 1000);
    await exited;
    clearTimeout(timer);
    this.#socket.destroy();
  }
}
