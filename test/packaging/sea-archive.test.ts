/** The single binary's payload format: files round-trip, and nothing can be unpacked outside its directory. */
import t from 'tap';
import { gunzipSync, gzipSync } from 'node:zlib';
import { isContainedPath, pack, unpack } from '../../packaging/sea/archive.ts';

t.test('files round-trip with their executable bit', async (t) => {
  const files = [
    { path: 'dist/agent/main.js', mode: 0o644, data: Buffer.from('console.log(1)\n') },
    { path: 'node_modules/x/bin/run', mode: 0o755, data: Buffer.from([0, 1, 2, 255]) },
    { path: 'empty', mode: 0o644, data: Buffer.alloc(0) },
  ];
  t.same(unpack(pack(files)).map((f) => ({ ...f, data: Buffer.from(f.data) })), files);
});

t.test('paths that leave the target directory are refused both ways', async (t) => {
  for (const path of ['../etc/passwd', '/etc/passwd', 'a/../../b', 'a//b', './a', '']) {
    t.notOk(isContainedPath(path), `"${path}" is not contained`);
    t.throws(() => pack([{ path, mode: 0o644, data: Buffer.from('x') }]), /Cannot pack/);
  }
  // A payload crafted by hand, not by pack().
  const header = Buffer.from(JSON.stringify([{ path: '../evil', mode: 0o755, size: 1 }]));
  const length = Buffer.alloc(4);
  length.writeUInt32BE(header.length);
  t.throws(() => unpack(gzipSync(Buffer.concat([length, header, Buffer.from('x')]))), /Refusing to unpack "\.\.\/evil"/);
});

t.test('a truncated or padded payload is an error, and modes lose set-id bits', async (t) => {
  const packed = pack([{ path: 'a', mode: 0o6755, data: Buffer.from('abc') }]);
  t.equal(unpack(packed)[0]!.mode, 0o755);
  const raw = gunzipSync(packed);
  t.throws(() => unpack(gzipSync(raw.subarray(0, raw.length - 1))), /truncated/);
  t.throws(() => unpack(gzipSync(Buffer.concat([raw, Buffer.from('z')]))), /trailing/);
});

