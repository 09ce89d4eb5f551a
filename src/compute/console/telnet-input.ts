/**
 * Strips telnet protocol bytes (IAC negotiations, subnegotiations, CR NUL) from what a telnet client types, and reports
 * the window sizes the client announces (NAWS, RFC 1073).
 */

const IAC = 255;
const SB = 250;
const SE = 240;
const WILL = 251;
const DONT = 254;
const DO = 253;
const NAWS = 31;

type State = 'data' | 'iac' | 'option' | 'sub' | 'sub-iac' | 'cr';

export type WindowSizeListener = (columns: number, rows: number) => void;

export class TelnetInput {
  #state: State = 'data';
  /** Bytes of the subnegotiation being read (IAC IAC already folded into one 255). */
  #sub: number[] = [];
  readonly #onWindowSize: WindowSizeListener | undefined;

  constructor(onWindowSize?: WindowSizeListener) {
    this.#onWindowSize = onWindowSize;
  }

  #data(byte: number, out: Buffer, n: number): number {
    if (byte === IAC) {
      this.#state = 'iac';
      return n;
    }
    if (byte === 13) this.#state = 'cr';
    out[n] = byte;
    return n + 1;
  }

  /** Returns the plain bytes in `chunk`; negotiation split across chunks is handled. */
  push(chunk: Uint8Array): Buffer {
    const out = Buffer.allocUnsafe(chunk.length);
    let n = 0;
    for (const byte of chunk) {
      switch (this.#state) {
        case 'cr':
          this.#state = 'data';
          // Telnet sends Enter as CR NUL or CR LF; emulators expect a single line ending.
          if (byte === 0) continue;
          n = this.#data(byte, out, n);
          break;
        case 'data':
          n = this.#data(byte, out, n);
          break;
        case 'iac':
          if (byte === IAC) {
            out[n++] = IAC;
            this.#state = 'data';
          } else if (byte === SB) {
            this.#state = 'sub';
            this.#sub = [];
          }
          else if (byte >= WILL && byte <= DONT) this.#state = 'option';
          else this.#state = 'data';
          break;
        case 'option':
          this.#state = 'data';
          break;
        case 'sub':
          if (byte === IAC) this.#state = 'sub-iac';
          else this.#sub.push(byte);
          break;
        case 'sub-iac':
          if (byte === SE) {
            this.#state = 'data';
            this.#subnegotiated();
          } else {
            if (byte === IAC) this.#sub.push(IAC);
            this.#state = 'sub';
          }
          break;
      }
    }
    return out.subarray(0, n);
  }

  #subnegotiated(): void {
    const [option, w1, w0, h1, h0] = this.#sub;
    if (option !== NAWS || h0 === undefined) return;
    const columns = (w1! << 8) | w0!;
    const rows = (h1! << 8) | h0;
    // 0 means "unknown" (RFC 1073): nothing to apply.
    if (columns > 0 && rows > 0) this.#onWindowSize?.(columns, rows);
  }
}

/** What a telnet client is told on connect: we echo, suppress go-ahead, and speak binary (as GNS3 does). */
export const TELNET_GREETING = Buffer.from([IAC, WILL, 1, IAC, WILL, 3, IAC, WILL, 0, IAC, DO, 0]);

/** Added to the greeting when the backend's terminal can be resized: please send window sizes (GNS3's Docker console). */
export const TELNET_DO_NAWS = Buffer.from([IAC, DO, NAWS]);
