/**
 * A client for the Dynamips hypervisor's line protocol on a private 127.0.0.1 TCP port: one command at a time, each
 * answered by zero or more `101 <text>` lines and a final `100-<text>` (success) or `2xx-<text>` (error).
 */
import { ControlConnection, ControlConnectionError } from '../control-connection.ts';

/** An error reply (`2xx-…`) or a broken connection; `code` is the reply code, 0 when the connection failed. */
export class HypervisorError extends Error {
  readonly code: number;
  constructor(message: string, code: number) {
    super(message);
    this.name = 'HypervisorError';
    this.code = code;
  }
}

export type Reply = { code: number; lines: string[] };

/**
 * Splits complete reply lines off `buffer`: returns the reply once its final line (`NNN-`) has arrived, plus what
 * is left over; null while incomplete. Informational lines keep their text without the `101 ` prefix.
 */
export function takeReply(buffer: string): { reply: Reply; rest: string } | null {
  const lines: string[] = [];
  let start = 0;
  for (;;) {
    const end = buffer.indexOf('\n', start);
    if (end < 0) return null;
    const line = buffer.slice(start, end).replace(/\r$/, '');
    start = end + 1;
    const match = /^(\d{3})([- ])(.*)$/s.exec(line);
    if (!match) continue; // Not protocol output; Dynamips never sends such lines on the control socket.
    lines.push(match[3]!);
    if (match[2] === '-') return { reply: { code: Number(match[1]), lines }, rest: buffer.slice(start) };
  }
}

/** Quotes a string argument the way the hypervisor's tokenizer expects (no escapes exist: quotes are refused). */
export function quote(value: string): string {
  if (/["\r\n]/.test(value)) throw new HypervisorError(`Invalid hypervisor argument ${JSON.stringify(value)}`, 0);
  return `"${value}"`;
}

export class Hypervisor {
  readonly #connection: ControlConnection<Reply>;

  private constructor(connection: ControlConnection<Reply>) {
    this.#connection = connection;
  }

  /** Connects once the hypervisor listens on 127.0.0.1:`port`. */
  static async connect(port: number, timeoutMs = 10_000): Promise<Hypervisor> {
    return new Hypervisor(await ControlConnection.connect(port, takeReply, timeoutMs));
  }

  get closed(): boolean {
    return this.#connection.closed;
  }

  /**
   * Sends one command (arguments already quoted where they are strings) and resolves with the reply's lines
   * (the final line's text included unless it is the bare `OK`); rejects with a HypervisorError on a 2xx reply.
   */
  async send(command: string): Promise<string[]> {
    const reply = await this.#connection.request(`${command}\n`).catch((err: unknown) => {
      if (!(err instanceof ControlConnectionError)) throw err;
      throw new HypervisorError(err.reason === 'not-connected'
        ? `Dynamips hypervisor is not connected (command "${command}")`
        : `Connection to the Dynamips hypervisor closed during "${command}"`, 0);
    });
    if (reply.code >= 200) {
      throw new HypervisorError(`Dynamips error when running command '${command}': ${reply.lines.at(-1) ?? ''}`, reply.code);
    }
    if (reply.lines.at(-1) === 'OK') reply.lines.pop();
    return reply.lines;
  }

  /** Closes the control connection (the process is stopped by its supervisor). */
  close(): void {
    this.#connection.close();
  }
}
