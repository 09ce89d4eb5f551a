/** A client for QEMU's human monitor (HMP) on a private 127.0.0.1 TCP port: one connection, commands in order. */
import type { Socket } from 'node:net';
import { connectWhenListening } from '../tcp-connect.ts';

const PROMPT = '(qemu) ';
// HMP's line editor redraws what it echoes with cursor escapes even on a socket.
const ESCAPES = /\x1b\[[0-9;]*[A-Za-z]/g;


type Pending = { resolve: (text: string) => void; reject: (err: Error) => void; timer: ReturnType<typeof setTimeout> };

export class HmpMonitor {
  readonly #socket: Socket;
  #buffer = '';
  #pending: Pending | null = null;
  #queue: Promise<unknown> = Promise.resolve();
  #closed = false;

  private constructor(socket: Socket) {
    this.#socket = socket;
    socket.setEncoding('latin1');
    socket.on('data', (chunk: string) => this.#onData(chunk));
    socket.on('error', () => socket.destroy());
    socket.on('close', () => {
      this.#closed = true;
      this.#settle(new Error('QEMU monitor connection closed'));
    });
  }

  /** Connects once QEMU listens and waits for the first prompt. */
  static async connect(port: number, timeoutMs = 10_000): Promise<HmpMonitor> {
    const monitor = new HmpMonitor(await connectWhenListening(port, timeoutMs));
    try {
      await monitor.#wait(10_000);
    } catch (err) {
      monitor.#socket.destroy();
      throw new Error(`No prompt from the QEMU monitor on port ${port}: ${(err as Error).message}`);
    }
    return monitor;
  }

  #onData(chunk: string): void {
    this.#buffer += chunk.replace(ESCAPES, '');
    if (this.#buffer.endsWith(PROMPT)) this.#settle(null);
  }

  #settle(error: Error | null): void {
    const pending = this.#pending;
    if (!pending) return;
    this.#pending = null;
    clearTimeout(pending.timer);
    const text = this.#buffer.slice(0, -PROMPT.length);
    this.#buffer = '';
    if (error) pending.reject(error);
    else pending.resolve(text);
  }

  #wait(timeoutMs: number): Promise<string> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.#pending = null;
        reject(new Error('QEMU monitor did not answer in time'));
      }, timeoutMs);
      this.#pending = { resolve, reject, timer };
      if (this.#buffer.endsWith(PROMPT)) this.#settle(null);
      else if (this.#closed) this.#settle(new Error('QEMU monitor connection closed'));
    });
  }

  /** Sends one command and resolves with its output (the echoed command line removed). */
  command(line: string, timeoutMs = 10_000): Promise<string> {
    const run = async () => {
      if (this.#closed) throw new Error('QEMU monitor connection closed');
      this.#buffer = '';
      const answer = this.#wait(timeoutMs);
      this.#socket.write(`${line}\n`);
      const text = await answer;
      // The first line is the echo of what we typed.
      return text.split(/\r?\n/).slice(1).join('\n').trim();
    };
    const result = this.#queue.then(run, run);
    this.#queue = result.catch(() => {});
    return result;
  }

  close(): void {
    this.#socket.destroy();
  }
}
