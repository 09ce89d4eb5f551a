/**
 * The client side of an emulator's text control protocol on a private 127.0.0.1 TCP port (Dynamips' hypervisor,
 * QEMU's human monitor): one request at a time, in the order made, each answered by text the protocol frames.
 *
 * @example
 * const hmp = await ControlConnection.connect(port, (text) => text.endsWith('(qemu) ') ? { reply: text, rest: '' } : null);
 * await hmp.request(null); // the greeting
 * const status = await hmp.request('info status\n', 10_000);
 */
import type { Socket } from 'node:net';
import { connectWhenListening } from './tcp-connect.ts';

/** Splits one complete reply off the front of what has arrived, with what is left of it; null while incomplete. */
export type TakeReply<R> = (received: string) => { reply: R; rest: string } | null;

/** Why a request got no reply: the connection was already closed, it closed while waiting, or time ran out. */
export type ControlFailure = 'not-connected' | 'closed' | 'timeout';

export class ControlConnectionError extends Error {
  readonly reason: ControlFailure;
  constructor(reason: ControlFailure) {
    super(reason === 'timeout' ? 'no reply in time' : 'connection closed');
    this.name = 'ControlConnectionError';
    this.reason = reason;
  }
}

type Pending<R> = { resolve: (reply: R) => void; reject: (err: Error) => void; timer?: ReturnType<typeof setTimeout> };

export class ControlConnection<R> {
  readonly #socket: Socket;
  readonly #takeReply: TakeReply<R>;
  #received = '';
  #pending: Pending<R> | null = null;
  #queue: Promise<unknown> = Promise.resolve();
  #closed = false;

  private constructor(socket: Socket, takeReply: TakeReply<R>) {
    this.#socket = socket;
    this.#takeReply = takeReply;
    socket.setEncoding('latin1');
    socket.setNoDelay(true);
    socket.on('data', (chunk: string) => {
      this.#received += chunk;
      this.#deliver();
    });
    socket.on('error', () => socket.destroy());
    socket.on('close', () => {
      this.#closed = true;
      this.#settle(new ControlConnectionError('closed'));
    });
  }

  /** Connects once the emulator listens on 127.0.0.1:`port` (retrying until `timeoutMs`). */
  static async connect<R>(port: number, takeReply: TakeReply<R>, timeoutMs = 10_000): Promise<ControlConnection<R>> {
    return new ControlConnection(await connectWhenListening(port, timeoutMs), takeReply);
  }

  get closed(): boolean {
    return this.#closed;
  }

  /**
   * Once the earlier requests are answered, sends `line` (as is: the caller adds the line ending) and resolves with
   * the reply; `null` sends nothing and waits for what the emulator says unasked (a greeting). Output that came
   * while nobody asked is dropped before a line is sent, so it cannot pass for the reply. Rejects with a
   * ControlConnectionError when the connection is or gets closed, or after `timeoutMs` if given.
   */
  request(line: string | null, timeoutMs?: number): Promise<R> {
    const run = () =>
      new Promise<R>((resolve, reject) => {
        if (this.#closed) return reject(new ControlConnectionError('not-connected'));
        const timer = timeoutMs === undefined ? undefined : setTimeout(() => {
          this.#pending = null;
          reject(new ControlConnectionError('timeout'));
        }, timeoutMs);
        this.#pending = { resolve, reject, timer };
        if (line === null) return this.#deliver();
        this.#received = '';
        this.#socket.write(line);
      });
    const result = this.#queue.then(run, run);
    this.#queue = result.catch(() => undefined);
    return result;
  }

  /** Closes the connection (the emulator itself is stopped by its supervisor). */
  close(): void {
    this.#socket.destroy();
  }

  #deliver(): void {
    if (!this.#pending) return;
    const taken = this.#takeReply(this.#received);
    if (!taken) return;
    this.#received = taken.rest;
    this.#settle(taken.reply);
  }

  #settle(outcome: R | ControlConnectionError): void {
    const pending = this.#pending;
    if (!pending) return;
    this.#pending = null;
    clearTimeout(pending.timer);
    if (outcome instanceof ControlConnectionError) pending.reject(outcome);
    else pending.resolve(outcome);
  }
}
