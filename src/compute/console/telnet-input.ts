/** Strips telnet protocol bytes (IAC negotiations, subnegotiations, CR NUL) from what a telnet client types. */

const IAC = 255;
const SB = 250;
const SE = 240;
const WILL = 251;
const DONT = 254;

type State = 'data' | 'iac' | 'option' | 'sub' | 'sub-iac' | 'cr';

export class TelnetInput {
  #state: State = 'data';

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
          } else if (byte === SB) this.#state = 'sub';
          else if (byte >= WILL && byte <= DONT) this.#state = 'option';
          else this.#state = 'data';
          break;
        case 'option':
          this.#state = 'data';
          break;
        case 'sub':
          if (byte === IAC) this.#state = 'sub-iac';
          break;
        case 'sub-iac':
          this.#state = byte === SE ? 'data' : 'sub';
          break;
      }
    }
    return out.subarray(0, n);
  }
}

/** What a telnet client is told on connect: we echo, suppress go-ahead, and speak binary (as GNS3 does). */
export const TELNET_GREETING = Buffer.from([IAC, WILL, 1, IAC, WILL, 3, IAC, WILL, 0, IAC, 253, 0]);
