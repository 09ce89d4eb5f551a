/** The single binary's payload: a file tree packed into one gzip'd buffer, and unpacked with its paths checked. */
import { gunzipSync, gzipSync } from 'node:zlib';

export type PackedFile = { path: string; mode: number; data: Uint8Array };

type Entry = { path: string; mode: number; size: number };

/** A relative POSIX path that stays inside the directory it is unpacked into. */
export function isContainedPath(path: string): boolean {
  return path !== '' && !path.startsWith('/') && path.split('/').every((part) => part !== '' && part !== '.' && part !== '..');
}

/** Layout: 4-byte big-endian header length, the JSON header (path, mode, size of each file), then the contents. */
export function pack(files: readonly PackedFile[]): Buffer {
  for (const { path } of files) if (!isContainedPath(path)) throw new Error(`Cannot pack "${path}": not a relative path inside the tree`);
  const header = Buffer.from(JSON.stringify(files.map(({ path, mode, data }): Entry => ({ path, mode, size: data.length }))));
  const length = Buffer.alloc(4);
  length.writeUInt32BE(header.length);
  return gzipSync(Buffer.concat([length, header, ...files.map((file) => file.data)]), { level: 9 });
}

export function unpack(packed: Uint8Array): PackedFile[] {
  const raw = gunzipSync(packed);
  const headerEnd = 4 + raw.readUInt32BE(0);
  const entries = JSON.parse(raw.subarray(4, headerEnd).toString('utf8')) as Entry[];
  let offset = headerEnd;
  const files = entries.map(({ path, mode, size }) => {
    if (!isContainedPath(path)) throw new Error(`Refusing to unpack "${path}": it would land outside the target directory`);
    const data = raw.subarray(offset, offset + size);
    if (data.length !== size) throw new Error(`Payload truncated at "${path}"`);
    offset += size;
    return { path, mode: mode & 0o755, data };
  });
  if (offset !== raw.length) throw new Error(`Payload has ${raw.length - offset} unexpected trailing bytes`);
  return files;
}
