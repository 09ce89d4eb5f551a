import t from 'tap';
import { TelnetInput } from '../../src/compute/console/telnet-input.ts';

const bytes = (...values: number[]) => Uint8Array.from(values);

t.test('passes plain text through', async (t) => {
  t.equal(new TelnetInput().push(Buffer.from('ip 10.0.0.1/24\n')).toString(), 'ip 10.0.0.1/24\n');
});

t.test('strips option negotiation, subnegotiation and CR NUL', async (t) => {
  const input = new TelnetInput();
  const out = input.push(bytes(255, 253, 1, 0x61, 255, 250, 24, 0, 0x78, 255, 240, 0x62, 13, 0, 0x63));
  t.same([...out], [0x61, 0x62, 13, 0x63]);
});

t.test('keeps an escaped 255 and handles sequences split across chunks', async (t) => {
  const input = new TelnetInput();
  t.same([...input.push(bytes(0x41, 255))], [0x41]);
  t.same([...input.push(bytes(251))], []);
  t.same([...input.push(bytes(3, 255, 255, 0x42))], [255, 0x42]);
});

t.test('reports NAWS window sizes, an escaped 255 included, and ignores the unknown size 0', async (t) => {
  const sizes: Array<[number, number]> = [];
  const input = new TelnetInput((columns, rows) => sizes.push([columns, rows]));
  t.same([...input.push(bytes(0x61, 255, 250, 31, 0, 100, 0))], [0x61]);
  t.same([...input.push(bytes(40, 255, 240, 0x62))], [0x62], 'split across chunks');
  input.push(bytes(255, 250, 31, 1, 255, 255, 0, 50, 255, 240));
  input.push(bytes(255, 250, 31, 0, 0, 0, 0, 255, 240));
  input.push(bytes(255, 250, 24, 0, 1, 2, 3, 255, 240));
  t.same(sizes, [[100, 40], [511, 50]]);
});
