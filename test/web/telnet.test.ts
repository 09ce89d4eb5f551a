/** The web console's telnet filter: commands never reach the screen, negotiation is answered once, data survives. */
import t from 'tap';
import { TelnetFilter } from '../../web/src/telnet.ts';

const IAC = 255, WILL = 251, WONT = 252, DO = 253, DONT = 254, SB = 250, SE = 240;

t.test('strips negotiation and answers it once', async (t) => {
  const filter = new TelnetFilter();
  const replies: number[][] = [];
  const shown = filter.push(Uint8Array.of(IAC, WILL, 1, IAC, WILL, 3, IAC, DO, 24, 72, 105, IAC, WILL, 1), (bytes) => replies.push([...bytes]));
  t.equal(new TextDecoder().decode(shown), 'Hi');
  t.same(replies, [[IAC, DO, 1], [IAC, DO, 3], [IAC, WONT, 24]], 'DO echo and go-ahead suppression, WONT terminal type; a repeat is not answered');
  filter.push(Uint8Array.of(IAC, WILL, 31), (bytes) => replies.push([...bytes]));
  t.same(replies.at(-1), [IAC, DONT, 31], 'any other server option is refused');
});

t.test('sequences split across frames, escaped 255, subnegotiation', async (t) => {
  const filter = new TelnetFilter();
  const none = () => t.fail('no reply expected');
  const parts = [Uint8Array.of(65, IAC), Uint8Array.of(IAC, 66, IAC), Uint8Array.of(SB, 24, 1, IAC), Uint8Array.of(SE, 67)];
  const shown = parts.flatMap((part) => [...filter.push(part, none)]);
  t.same(shown, [65, 255, 66, 67]);
});
