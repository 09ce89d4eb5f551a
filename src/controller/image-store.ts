/**
 * The controller's image store (`/v3/images`): files under `<images_dir>/QEMU|IOS|IOU`, typed from their first bytes.
 * The folders are the store: no separate index to drift from them (a file copied in by hand is listed too), uploads
 * are written to a temp file and renamed into place, and md5 sums are computed on demand.
 */
import { createWriteStream } from 'node:fs';
import { mkdir, open, readdir, rename, rm, stat } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { randomBytes } from 'node:crypto';
import { fail } from '../errors/index.ts';
import { resolveInside } from '../storage/safe-path.ts';
import { md5File } from '../storage/project-files.ts';

export type ImageType = 'qemu' | 'ios' | 'iou';
const FOLDERS: Record<ImageType, string> = { qemu: 'QEMU', ios: 'IOS', iou: 'IOU' };

export type ImageInfo = {
  filename: string; path: string; image_type: ImageType; image_size: number; checksum: string; checksum_algorithm: 'md5';
  created_at: string; updated_at: string;
};

/**
 * Image type from the first bytes: an ELF for x86 is an IOU binary, another ELF (MIPS, PowerPC: Cisco routers) an
 * IOS image, anything else (qcow2, raw, vmdk...) a QEMU disk.
 */
export function imageTypeOf(head: Uint8Array): ImageType {
  const elf = head[0] === 0x7f && head[1] === 0x45 && head[2] === 0x4c && head[3] === 0x46;
  if (!elf) return 'qemu';
  const machine = head[5] === 2 ? (head[18] << 8) | head[19] : head[18] | (head[19] << 8);
  return machine === 3 || machine === 62 ? 'iou' : 'ios';
}

const stamp = (date: Date) => date.toISOString().slice(0, 19);

export class ImageStore {
  readonly root: string;

  constructor(root: string) {
    this.root = root;
  }

  async #info(type: ImageType, filename: string): Promise<ImageInfo | undefined> {
    const path = join(this.root, FOLDERS[type], filename);
    const info = await stat(path).catch(() => undefined);
    if (!info?.isFile()) return undefined;
    return {
      filename, path, image_type: type, image_size: info.size, checksum: await md5File(path), checksum_algorithm: 'md5',
      created_at: stamp(info.birthtime), updated_at: stamp(info.mtime),
    };
  }

  async list(type?: ImageType): Promise<ImageInfo[]> {
    const out: ImageInfo[] = [];
    for (const t of type ? [type] : (Object.keys(FOLDERS) as ImageType[])) {
      const names = await readdir(join(this.root, FOLDERS[t])).catch(() => [] as string[]);
      for (const name of names.sort()) {
        if (name.startsWith('.') || name.endsWith('.md5sum')) continue;
        const info = await this.#info(t, name);
        if (info) out.push(info);
      }
    }
    return out;
  }

  async get(filename: string): Promise<ImageInfo> {
    const matches = (await this.list()).filter((i) => i.filename === basename(filename));
    if (matches.length === 0) throw fail('IMAGE_NOT_FOUND', filename);
    if (matches.length > 1) throw fail('IMAGE_AMBIGUOUS', filename);
    return matches[0];
  }

  /** Stores an upload under its detected type; the name must be a plain file name. */
  async add(filename: string, body: ReadableStream<Uint8Array>): Promise<ImageInfo> {
    if (filename !== basename(filename) || filename.startsWith('.')) throw fail('PATH_FORBIDDEN');
    await mkdir(this.root, { recursive: true });
    const temp = resolveInside(this.root, `.upload-${randomBytes(6).toString('hex')}`);
    try {
      await pipeline(Readable.fromWeb(body as import('node:stream/web').ReadableStream), createWriteStream(temp, { mode: 0o644 }));
      const handle = await open(temp, 'r');
      const head = new Uint8Array(20);
      await handle.read(head, 0, 20, 0);
      await handle.close();
      const type = imageTypeOf(head);
      await mkdir(join(this.root, FOLDERS[type]), { recursive: true });
      await rename(temp, resolveInside(join(this.root, FOLDERS[type]), filename));
      return (await this.#info(type, filename))!;
    } finally {
      await rm(temp, { force: true });
    }
  }

  async remove(image: ImageInfo): Promise<void> {
    await rm(image.path, { force: true });
    await rm(`${image.path}.md5sum`, { force: true });
  }
}
