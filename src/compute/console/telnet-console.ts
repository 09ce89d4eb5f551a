/** A telnet server on the node's public console port that multiplexes any number of clients onto one backend. */
import { createServer, type Server, type Socket } from 'node:net';
import type { PortPool } from '../port-pool.ts';
import { TELNET_DO_NAWS, TELNET_GREETING, TelnetInput } from './telnet-input.ts';

/** The emulator side of a console: a TCP connection to its own console port, or a pseudo-terminal. */
export interface ConsoleBackend {
  write(data: Uint8Array): void;
  /** Adds a listener for what the emulator prints; the returned function removes it. */
  onData(listener: (data: Buffer) => void): () => void;
  /**
   * Told when the first client connects and when the last one leaves, for emulators that keep console output for
   * later while nobody is connected (Dynamips): their backend connects only while someone listens.
   */
  clients?(count: number): void;
  /** For a terminal that can change size (a container's TTY): a client announced its window size (telnet NAWS). */
  resize?(columns: number, rows: number): void;
}

export class TelnetConsole {
  readonly #server: Server;
  readonly #clients = new Set<Socket>();
  readonly #backend: ConsoleBackend;
  readonly #unlisten: () => void;

  private constructor(server: Server, backend: ConsoleBackend) {
    this.#server = server;
    this.#backend = backend;
    // Removed at close: a console reset opens a new server on the same backend, which would otherwise keep one dead
    // listener per reset.
    this.#unlisten = backend.onData((data) => {
      for (const client of this.#clients) client.write(data);
    });
    server.on('connection', (client) => {
      const resize = backend.resize?.bind(backend);
      const input = new TelnetInput(resize);
      this.#clients.add(client);
      if (this.#clients.size === 1) backend.clients?.(1);
      client.setNoDelay(true);
      client.write(resize ? Buffer.concat([TELNET_GREETING, TELNET_DO_NAWS]) : TELNET_GREETING);
      client.on('data', (chunk) => {
        const plain = input.push(chunk);
        if (plain.length > 0) backend.write(plain);
      });
      client.on('error', () => client.destroy());
      client.on('close', () => {
        if (this.#clients.delete(client) && this.#clients.size === 0) backend.clients?.(0);
      });
    });
  }

  static listen(host: string, port: number, backend: ConsoleBackend): Promise<TelnetConsole> {
    const server = createServer();
    return new Promise((resolve, reject) => {
      server.once('error', reject);
      server.listen({ host, port, exclusive: true }, () => {
        server.off('error', reject);
        resolve(new TelnetConsole(server, backend));
      });
    });
  }

  /** Disconnects every client and frees the port. */
  close(): Promise<void> {
    this.#unlisten();
    for (const client of this.#clients) client.destroy();
    if (this.#clients.size > 0) this.#backend.clients?.(0);
    this.#clients.clear();
    return new Promise((resolve) => this.#server.close(() => resolve()));
  }
}

/**
 * Opens the public console on `port`, moving to a fresh port from `pool` if another process took it since it was
 * reserved (the bind probe and the real listen are separate moments). GNS3 substitutes console ports silently as
 * well; the node's JSON reports the port actually used.
 */
export async function openConsole(
  pool: PortPool,
  owner: string,
  host: string,
  port: number,
  backend: ConsoleBackend,
): Promise<{ console: TelnetConsole; port: number }> {
  for (let attempt = 0; ; attempt++) {
    try {
      return { console: await TelnetConsole.listen(host, port, backend), port };
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EADDRINUSE' || attempt === 3) throw err;
      pool.release(port);
      port = await pool.allocate(owner);
    }
  }
}
