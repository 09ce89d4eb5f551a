/**
 * The telnet byte stream (RFC 854, 855): the data it carries and the commands between, whichever way it flows.
 * Pure and free of Node APIs: the agent reads what telnet clients type with it, and the web UI (web/src/telnet.ts)
 * bundles it to read what a console sends.
 */

export const IAC = 255;
export const DONT = 254;
export const DO = 253;
export const WONT = 252;
export const WILL = 251;
export const SB = 250;
export const SE = 240;

/** Option codes: echo (RFC 857), suppress go-ahead (RFC 858), window size (NAWS, RFC 1073). */
export const OPTION = { binary: 0, echo: 1, suppressGoAhead: 3, naws: 31 } as const;

const CR = 13;
/** Longest subnegotiation kept; the ones we read (NAWS) have 5 bytes, longer ones are cut rather than grown without bound. */
const MAX_SUBNEGOTIATION = 64;

export type TelnetCommands = {
  /** IAC WILL/WONT/DO/DONT <option>. */
  option?: (verb: number, option: number) => void;
  /** IAC SB … IAC SE: the bytes between (option first), IAC IAC folded into one 255. */
  subnegotiation?: (bytes: readonly number[]) => void;
};

type State = 'data' | 'cr' | 'iac' | 'option' | 'sub' | 'sub-iac';

export class TelnetStream {
  #state: State = 'data';
  #verb = 0;
  #sub: number[] = [];
  readonly #commands: TelnetCommands;

  constructor(commands: TelnetCommands = {}) {
    this.#commands = commands;
  }

  /**
   * The data bytes of `chunk`: IAC IAC as one 255, CR NUL (the NVT's bare carriage return) as CR, commands left out and
   * handed to `commands` as they complete. A command split across chunks completes on a later one.
   */
  push(chunk: Uint8Array): Uint8Array {
    const out = new Uint8Array(chunk.length);
    let n = 0;
    for (const byte of chunk) {
      switch (this.#state) {
        case 'cr':
        case 'data':
          if (this.#state === 'cr' && byte === 0) {
            this.#state = 'data';
          } else if (byte === IAC) {
            this.#state = 'iac';
          } else {
            this.#state = byte === CR ? 'cr' : 'data';
            out[n++] = byte;
          }
          break;
        case 'iac':
          if (byte === IAC) {
            out[n++] = IAC;
            this.#state = 'data';
          } else if (byte === SB) {
            this.#sub = [];
            this.#state = 'sub';
          } else if (byte >= WILL && byte <= DONT) {
            this.#verb = byte;
            this.#state = 'option';
          } else {
            this.#state = 'data'; // A two-byte command (NOP, GA, …): nothing to do.
          }
          break;
        case 'option':
          this.#state = 'data';
          this.#commands.option?.(this.#verb, byte);
          break;
        case 'sub':
          if (byte === IAC) this.#state = 'sub-iac';
          else this.#keep(byte);
          break;
        case 'sub-iac':
          if (byte === SE) {
            this.#state = 'data';
            this.#commands.subnegotiation?.(this.#sub);
          } else {
            if (byte === IAC) this.#keep(IAC);
            this.#state = 'sub';
          }
          break;
      }
    }
    return out.subarray(0, n);
  }

  #keep(byte: number): void {
    if (this.#sub.length < MAX_SUBNEGOTIATION) this.#sub.push(byte);
  }
}
