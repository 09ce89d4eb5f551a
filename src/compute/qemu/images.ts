/** An emulator's image store (`<images_dir>/QEMU`, `…/IOS`): lookup by name, listing with md5, streamed uploads. */
import { createHash } from 'node:crypto';
import { open, readdir, readFile, stat, writeFile } from 'node:fs/promises';
import { basename, isAbsolute, join, relative, resolve, sep } from 'node:path';
import { md5File, writeStreamAtomically } from '../../storage/project-files.ts';
import { resolveInside } from '../../storage/safe-path.ts';
import { regularFiles } from '../../storage/walk.ts';
import { fail } from '../../errors/index.ts';

export type ImageEntry = { filename: string; path: string; md5sum: string; filesize: number };

/** GNS3 skips files this small when listing: they cannot be disk images. */
const MIN_IMAGE_SIZE = 7;
const ELF_MAGIC = Buffer.from([0x7f, 0x45, 0x4c, 0x46]);

const isInside = (root: string, path: string) => {
  const rel = relative(root, path);
  return rel !== '' && !rel.startsWith(`..${sep}`) && rel !== '..' && !isAbsolute(rel);
};

async function isFile(path: string): Promise<boolean> {
  try {
    return (await stat(path)).isFile();
  } catch {
    return false;
  }
}

/** What differs between emulators' image folders: their error, and which files count as images. */
export type ImageStoreOptions = {
  /** The error for an absolute image path outside the images folder and the project. */
  outside: (name: string, dir: string) => Error;
  /** Whether a file (name, first 7 bytes) is listed by `GET /<type>/images`. */
  listed: (name: string, head: Buffer) => boolean;
};

/** QEMU: any disk image, but not ELF binaries (GNS3 lists those as IOS/IOU images instead). */
export const QEMU_IMAGES: ImageStoreOptions = {
  outside: (name, dir) => fail('QEMU_IMAGE_OUTSIDE', name, dir),
  listed: (_name, head) => !head.subarray(0, 4).equals(ELF_MAGIC),
};

export class ImageStore {
  /** `<images_dir>`; QEMU images live in its `QEMU` subfolder as in GNS3. */
  readonly root: string;
  readonly dir: string;

  readonly #options: ImageStoreOptions;

  constructor(root: string, subdir = 'QEMU', options: ImageStoreOptions = QEMU_IMAGES) {
    this.root = resolve(root);
    this.dir = join(this.root, subdir);
    this.#options = options;
  }

  /**
   * Absolute path of an image named in a node setting: a relative name is looked up in the QEMU folder, the images
   * root, then anywhere below the QEMU folder by file name; an absolute path must lie under the images root or
   * `extraRoot` (the project). Missing → 409 ImageMissingError, as a GNS3 controller expects (it then uploads it).
   */
  async resolve(name: string, extraRoot?: string): Promise<string> {
    if (isAbsolute(name)) {
      const path = resolve(name);
      if (!isInside(this.root, path) && !(extraRoot && isInside(extraRoot, path))) {
        throw this.#options.outside(name, this.dir);
      }
      if (!(await isFile(path))) throw fail('QEMU_IMAGE_MISSING', name);
      return path;
    }
    for (const base of [this.dir, this.root]) {
      const path = resolve(base, name);
      if (isInside(this.root, path) && (await isFile(path))) return path;
    }
    const found = await this.#findByName(this.dir, basename(name));
    if (found) return found;
    throw fail('QEMU_IMAGE_MISSING', name);
  }

  async #findByName(dir: string, name: string): Promise<string | null> {
    let entries;
    try {
      entries = await readdir(dir, { withFileTypes: true });
    } catch {
      return null;
    }
    for (const entry of entries) {
      const full = join(dir, entry.name);
      if (entry.isFile() && entry.name === name) return full;
    }
    for (const entry of entries) {
      if (!entry.isDirectory()) continue;
      const found = await this.#findByName(join(dir, entry.name), name);
      if (found) return found;
    }
    return null;
  }

  /** How GNS3 reports an image path in node JSON: relative to the QEMU folder when inside it. */
  display(path: string): string {
    return isInside(this.dir, path) ? relative(this.dir, path) : path;
  }

  /** Images under the QEMU folder, skipping dot-files, `.md5sum` files, tiny files and ELF binaries (as GNS3). */
  async list(): Promise<ImageEntry[]> {
    const out: ImageEntry[] = [];
    for await (const file of regularFiles(this.dir, (name) => name.startsWith('.') || name.endsWith('.md5sum'))) {
      const { size } = await stat(file);
      if (size < MIN_IMAGE_SIZE || !this.#options.listed(basename(file), await this.#head(file))) continue;
      out.push({ filename: basename(file), path: relative(this.dir, file), md5sum: (await md5sum(file))!, filesize: size });
    }
    return out;
  }

  async #head(path: string): Promise<Buffer> {
    const handle = await open(path, 'r');
    try {
      const head = Buffer.alloc(7);
      const { bytesRead } = await handle.read(head, 0, head.length, 0);
      return head.subarray(0, bytesRead);
    } finally {
      await handle.close();
    }
  }

  /** The file behind `GET /qemu/images/{filename}`: a plain name in the QEMU folder (403 otherwise, as GNS3). */
  async file(filename: string): Promise<string> {
    if (filename.startsWith('.') || filename.includes('/') || filename.includes('\\')) {
      throw fail('PATH_FORBIDDEN');
    }
    const path = resolveInside(this.dir, filename);
    if (!(await isFile(path))) throw fail('FILE_NOT_FOUND');
    return path;
  }

  /**
   * Streams an upload into the QEMU folder through a temp file and a rename (a cut upload leaves nothing behind),
   * hashing on the way so the `.md5sum` cache is written without reading the file again.
   */
  async upload(filename: string, body: ReadableStream<Uint8Array> | null): Promise<string> {
    const target = resolveInside(this.dir, filename);
    const hash = createHash('md5');
    await writeStreamAtomically(target, body, hash);
    const digest = hash.digest('hex');
    await writeFile(`${target}.md5sum`, digest).catch(() => {});
    return target;
  }
}

/**
 * md5 of a file, cached in `<file>.md5sum` beside it (GNS3's convention) as long as the cache is not older than the
 * file; null for an empty file, as GNS3 reports.
 */
export async function md5sum(path: string): Promise<string | null> {
  const info = await stat(path);
  if (info.size === 0) return null;
  const cache = `${path}.md5sum`;
  try {
    const cached = await stat(cache);
    if (cached.mtimeMs >= info.mtimeMs) {
      const text = (await readFile(cache, 'utf8')).trim();
      if (/^[0-9a-f]{32}$/.test(text)) return text;
    }
  } catch {
    // No cache yet.
  }
  const digest = await md5File(path);
  await writeFile(cache, digest).catch(() => {});
  return digest;
}
