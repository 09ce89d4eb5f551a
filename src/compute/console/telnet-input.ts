/**
 * What a telnet client types, as the emulator should get it: telnet protocol bytes (negotiations, subnegotiations,
 * CR NUL) stripped, and the window sizes the client announces (NAWS, RFC 1073) reported.
 */
import { DO, IAC, OPTION, TelnetStream, WILL } from './telnet-stream.ts';

export type WindowSizeListener = (columns: number, rows: number) => void;

export class TelnetInput {
  readonly #stream: TelnetStream;

  constructor(onWindowSize?: WindowSizeListener) {
    this.#stream = new TelnetStream({
      subnegotiation: ([option, w1, w0, h1, h0]) => {
        if (option !== OPTION.naws || h0 === undefined) return;
        const columns = (w1! << 8) | w0!;
        const rows = (h1! << 8) | h0;
        // 0 means "unknown" (RFC 1073): nothing to apply.
        if (columns > 0 && rows > 0) onWindowSize?.(columns, rows);
      },
    });
  }

  /** Returns the plain bytes in `chunk`; negotiation split across chunks is handled. */
  push(chunk: Uint8Array): Buffer {
    const plain = this.#stream.push(chunk);
    return Buffer.from(plain.buffer, plain.byteOffset, plain.length);
  }
}

/** What a telnet client is told on connect: we echo, suppress go-ahead, and speak binary (as GNS3 does). */
export const TELNET_GREETING = Buffer.from([
  IAC, WILL, OPTION.echo, IAC, WILL, OPTION.suppressGoAhead, IAC, WILL, OPTION.binary, IAC, DO, OPTION.binary,
]);

/** Added to the greeting when the backend's terminal can be resized: please send window sizes (GNS3's Docker console). */
export const TELNET_DO_NAWS = Buffer.from([IAC, DO, OPTION.naws]);
