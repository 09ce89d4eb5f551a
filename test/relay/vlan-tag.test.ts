/** Putting a VLAN tag back into a frame (src/relay/switching/vlan.ts): pure, on plain buffers. */
import t from 'tap';
import { TAG_BYTES, tagInHeadroom, tagInPlace } from '../../src/relay/switching/vlan.ts';

const hex = (bytes: Uint8Array) => Buffer.from(bytes).toString('hex');
/** dst 02..01, src 02..02, EtherType 0x0800, two bytes of payload. */
const untagged = Buffer.from('020000000001' + '020000000002' + '0800' + 'abcd', 'hex');

t.test('in headroom: the MAC addresses move back, the tag follows them, the rest stays where it was', async (t) => {
  const bytes = Buffer.concat([Buffer.from('eeeeeeee', 'hex'), untagged]);
  const start = tagInHeadroom(bytes, TAG_BYTES, 0x8100, (5 << 13) | 42);
  t.equal(start, 0);
  t.equal(hex(bytes), '020000000001' + '020000000002' + '8100a02a' + '0800' + 'abcd');
});

t.test('in place: the bytes after the addresses move on, as far as the buffer allows', async (t) => {
  const bytes = Buffer.alloc(untagged.length + TAG_BYTES, 0xee);
  untagged.copy(bytes);
  t.equal(tagInPlace(bytes, untagged.length, 0x88a8, 4094), untagged.length + TAG_BYTES);
  t.equal(hex(bytes), '020000000001' + '020000000002' + '88a80ffe' + '0800' + 'abcd');
  t.equal(tagInPlace(Buffer.from(untagged), untagged.length, 0x8100, 1), -1, 'no room: the frame is left alone');
  t.equal(tagInPlace(Buffer.alloc(20), 8, 0x8100, 1), -1, 'shorter than two MAC addresses');
});
