/**
 * Console bytes arrive as a telnet stream (the console WebSocket relays the node's telnet port). This strips telnet
 * commands out of what the terminal shows and answers option negotiation: yes to the server echoing and suppressing
 * go-ahead, no to everything else. Pure: bytes in, text bytes and replies out.
 */

const IAC = 255;
const DONT = 254;
const DO = 253;
const WONT = 252;
const WILL = 251;
const SB = 250;
const SE = 240;
const ECHO = 1;
const SUPPRESS_GO_AHEAD = 3;

type State = 'data' | 'iac' | 'option' | 'sub' | 'sub-iac';

export class TelnetFilter {
  #state: State = 'data';
  #verb = 0;
  /** Options already answered, so a server repeating itself does not start a negotiation loop. */
  readonly #answered = new Set<string>();

  /** Returns the bytes to display; `reply` receives negotiation answers to send back. */
  push(input: Uint8Array, reply: (bytes: Uint8Array) => void): Uint8Array {
    const out: number[] = [];
    for (const byte of input) {
      switch (this.#state) {
        case 'data':
          if (byte === IAC) this.#state = 'iac';
          else out.push(byte);
          break;
        case 'iac':
          if (byte === IAC) {
            out.push(IAC);
            this.#state = 'data';
          } else if (byte >= WILL && byte <= DONT) {
            this.#verb = byte;
            this.#state = 'option';
          } else this.#state = byte === SB ? 'sub' : 'data';
          break;
        case 'option': {
          this.#state = 'data';
          const key = `${this.#verb}:${byte}`;
          if (this.#answered.has(key)) break;
          this.#answered.add(key);
          if (this.#verb === WILL) reply(Uint8Array.of(IAC, byte === ECHO || byte === SUPPRESS_GO_AHEAD ? DO : DONT, byte));
          else if (this.#verb === DO) reply(Uint8Array.of(IAC, byte === SUPPRESS_GO_AHEAD ? WILL : WONT, byte));
          break;
        }
        case 'sub':
          if (byte === IAC) this.#state = 'sub-iac';
          break;
        case 'sub-iac':
          this.#state = byte === SE ? 'data' : 'sub';
          break;
      }
    }
    return Uint8Array.from(out);
  }
}
