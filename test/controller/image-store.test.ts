import t from 'tap';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ImageStore, imageTypeOf } from '../../src/controller/image-store.ts';
import { fail } from '../../src/errors/index.ts';

const elf = (bigEndian: boolean, machine: number) => {
  const head = new Uint8Array(20);
  head.set([0x7f, 0x45, 0x4c, 0x46, 1, bigEndian ? 2 : 1]);
  if (bigEndian) head.set([machine >> 8, machine & 0xff], 18);
  else head.set([machine & 0xff, machine >> 8], 18);
  return head;
};

t.test('image type from the first bytes', async (t) => {
  const rows: Array<[string, Uint8Array, string]> = [
    ['qcow2', new TextEncoder().encode('QFI\xfb\0\0\0\x03'), 'qemu'],
    ['raw zeros', new Uint8Array(20), 'qemu'],
    ['ELF x86-64 (IOU)', elf(false, 62), 'iou'],
    ['ELF i386 (IOU)', elf(false, 3), 'iou'],
    ['ELF MIPS big-endian (IOS)', elf(true, 8), 'ios'],
    ['ELF PowerPC (IOS)', elf(true, 20), 'ios'],
  ];
  for (const [name, head, type] of rows) t.equal(imageTypeOf(head), type, name);
});

t.test('store: upload, list, get, refuse traversal, remove', async (t) => {
  const root = mkdtempSync(join(tmpdir(), 'patchbay-images-'));
  t.teardown(() => rmSync(root, { recursive: true, force: true }));
  const store = new ImageStore(root);
  const stream = (bytes: Uint8Array) => new Blob([bytes as Uint8Array<ArrayBuffer>]).stream();
  const disk = await store.add('tiny.qcow2', stream(new TextEncoder().encode('QFI\xfbdisk')));
  t.match(disk, { filename: 'tiny.qcow2', image_type: 'qemu', image_size: 9, checksum: /^[0-9a-f]{32}$/, path: join(root, 'QEMU', 'tiny.qcow2') });
  await store.add('i86bi.bin', stream(elf(false, 62)));
  t.same((await store.list()).map((i) => [i.image_type, i.filename]), [['qemu', 'tiny.qcow2'], ['iou', 'i86bi.bin']]);
  t.same((await store.list('iou')).map((i) => i.filename), ['i86bi.bin']);
  await t.rejects(store.add('../escape', stream(new Uint8Array(1))), fail('PATH_FORBIDDEN'));
  await t.rejects(store.get('nope'), fail('IMAGE_NOT_FOUND', 'nope'));
  await store.remove(await store.get('tiny.qcow2'));
  t.same((await store.list()).map((i) => i.filename), ['i86bi.bin']);
});
