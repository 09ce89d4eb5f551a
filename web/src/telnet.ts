/**
 * Console bytes arrive as a telnet stream (the console WebSocket relays the node's telnet port). This strips telnet
 * commands out of what the terminal shows (the agent's own stream reader) and answers option negotiation: yes to the
 * server echoing and suppressing go-ahead, no to everything else. Pure: bytes in, text bytes and replies out.
 */
import { DO, DONT, IAC, OPTION, TelnetStream, WILL, WONT } from '../../src/compute/console/telnet-stream.ts';

export class TelnetFilter {
  /** Options already answered, so a server repeating itself does not start a negotiation loop. */
  readonly #answered = new Set<string>();
  readonly #replies: Uint8Array[] = [];
  readonly #stream = new TelnetStream({ option: (verb, option) => this.#answer(verb, option) });

  /** Returns the bytes to display; `reply` receives negotiation answers to send back. */
  push(input: Uint8Array, reply: (bytes: Uint8Array) => void): Uint8Array {
    const shown = this.#stream.push(input);
    for (const answer of this.#replies.splice(0)) reply(answer);
    return shown;
  }

  #answer(verb: number, option: number): void {
    const key = `${verb}:${option}`;
    if (this.#answered.has(key)) return;
    this.#answered.add(key);
    const welcome = option === OPTION.echo || option === OPTION.suppressGoAhead;
    if (verb === WILL) this.#replies.push(Uint8Array.of(IAC, welcome ? DO : DONT, option));
    else if (verb === DO) this.#replies.push(Uint8Array.of(IAC, option === OPTION.suppressGoAhead ? WILL : WONT, option));
  }
}
