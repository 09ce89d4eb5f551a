/** A client for QEMU's human monitor (HMP) on a private 127.0.0.1 TCP port: one connection, commands in order. */
import { ControlConnection, ControlConnectionError, type TakeReply } from '../control-connection.ts';

const PROMPT = '(qemu) ';
// HMP's line editor redraws what it echoes with cursor escapes even on a socket.
const ESCAPES = /\x1b\[[0-9;]*[A-Za-z]/g;

/** A reply is everything up to the prompt, which HMP prints once it is done (and once when it starts). */
const untilPrompt: TakeReply<string> = (received) => {
  const text = received.replace(ESCAPES, '');
  return text.endsWith(PROMPT) ? { reply: text.slice(0, -PROMPT.length), rest: '' } : null;
};

/** The monitor's own wording for a request that got no reply. */
function failure(err: unknown): Error {
  if (!(err instanceof ControlConnectionError)) return err as Error;
  return new Error(err.reason === 'timeout' ? 'QEMU monitor did not answer in time' : 'QEMU monitor connection closed');
}

export class HmpMonitor {
  readonly #connection: ControlConnection<string>;

  private constructor(connection: ControlConnection<string>) {
    this.#connection = connection;
  }

  /** Connects once QEMU listens and waits for the first prompt. */
  static async connect(port: number, timeoutMs = 10_000): Promise<HmpMonitor> {
    const connection = await ControlConnection.connect(port, untilPrompt, timeoutMs);
    try {
      await connection.request(null, 10_000);
    } catch (err) {
      connection.close();
      throw new Error(`No prompt from the QEMU monitor on port ${port}: ${failure(err).message}`);
    }
    return new HmpMonitor(connection);
  }

  /** Sends one command and resolves with its output (the echoed command line removed). */
  async command(line: string, timeoutMs = 10_000): Promise<string> {
    const text = await this.#connection.request(`${line}\n`, timeoutMs).catch((err: unknown) => {
      throw failure(err);
    });
    // The first line is the echo of what we typed.
    return text.split(/\r?\n/).slice(1).join('\n').trim();
  }

  close(): void {
    this.#connection.close();
  }
}
