/** A minimal telnet client for driving emulator consoles in tests. */
import { connect, type Socket } from 'node:net';

export class TelnetClient {
  readonly #socket: Socket;
  #buffer = '';

  private constructor(socket: Socket) {
    this.#socket = socket;
    socket.on('data', (data) => (this.#buffer += data.toString('latin1')));
  }

  static connect(port: number, host = '127.0.0.1'): Promise<TelnetClient> {
    return new Promise((resolve, reject) => {
      const socket = connect({ port, host }, () => resolve(new TelnetClient(socket)));
      socket.once('error', reject);
    });
  }

  get text(): string {
    return this.#buffer;
  }

  send(line: string): void {
    this.#socket.write(`${line}\r\n`);
  }

  /** Waits until the console output (since `from`) matches `pattern`, or fails after `timeoutMs`. */
  async waitFor(pattern: RegExp, timeoutMs = 15_000, from = 0): Promise<string> {
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      const match = pattern.exec(this.#buffer.slice(from));
      if (match) return match[0];
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    throw new Error(`console output did not match ${pattern} within ${timeoutMs} ms:\n${this.#buffer}`);
  }

  /** Sends a command and waits for `pattern` in the output that follows it. */
  async run(line: string, pattern: RegExp, timeoutMs?: number): Promise<string> {
    const from = this.#buffer.length;
    this.send(line);
    return this.waitFor(pattern, timeoutMs, from);
  }

  close(): void {
    this.#socket.destroy();
  }
}
