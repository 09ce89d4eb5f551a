/** The project files API: list with md5, read, write (streamed) — all confined to the project directory. */
import { createHash, randomBytes, type Hash } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { lstat, mkdir, readFile, realpath, rename, rm, stat } from 'node:fs/promises';
import { basename, dirname, extname, join, relative } from 'node:path';
import { Readable, Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { ReadableStream as NodeReadableStream } from 'node:stream/web';
import { resolveInside } from './safe-path.ts';
import { regularFiles } from './walk.ts';
import { fail, isError } from '../errors/index.ts';

export type FileEntry = { path: string; md5sum: string };

/** md5 of a file's content, streamed (image files can be gigabytes). */
export function md5File(file: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const hash = createHash('md5');
    createReadStream(file)
      .on('data', (chunk) => hash.update(chunk))
      .on('error', reject)
      .on('end', () => resolve(hash.digest('hex')));
  });
}

/** Every regular file under `root` (symlinks not followed), skipping `.ghost` files as GNS3 does. */
export async function listFiles(root: string): Promise<FileEntry[]> {
  const out: FileEntry[] = [];
  for await (const file of regularFiles(root, (name) => name.endsWith('.ghost'))) {
    try {
      out.push({ path: relative(root, file), md5sum: await md5File(file) });
    } catch {
      // Unreadable files are skipped, like GNS3 does.
    }
  }
  return out;
}

/** Resolves `untrusted` to an existing regular file inside `root` (after following symlinks). */
export async function existingFile(root: string, untrusted: string): Promise<string> {
  const target = resolveInside(root, untrusted);
  let real: string;
  try {
    real = await realpath(target);
  } catch {
    throw fail('FILE_NOT_FOUND');
  }
  resolveInside(await realpath(root), real);
  if (!(await lstat(real)).isFile()) throw fail('FILE_NOT_FOUND');
  return real;
}

/** A file of a controller project folder, whole (README.txt and the like); FILE_NOT_FOUND when there is none. */
export async function readProjectFile(root: string, untrusted: string): Promise<Uint8Array> {
  const data = await readFile(await existingFile(root, untrusted)).catch((err: Error) => {
    throw isError(err) ? err : fail('FILE_NOT_FOUND');
  });
  return new Uint8Array(data);
}

/**
 * Writes a file of a controller project folder, atomically; GNS3 creates no folder here, so a missing one is
 * FILE_NOT_FOUND, and its errors are those of every other write (403 permission, 409 anything else).
 */
export async function writeProjectFile(root: string, untrusted: string, data: Uint8Array<ArrayBuffer>): Promise<void> {
  const file = resolveInside(root, untrusted);
  if (!(await stat(dirname(file)).then((s) => s.isDirectory(), () => false))) throw fail('FILE_NOT_FOUND');
  // A symlinked folder could point outside the project; check where it really is.
  resolveInside(await realpath(root), join(await realpath(dirname(file)), 'x'));
  await writeStreamAtomically(file, new Blob([data]).stream());
}

/** Resolves `untrusted` for writing, creating parent directories inside `root`. */
export async function writableFile(root: string, untrusted: string): Promise<string> {
  const target = resolveInside(root, untrusted);
  await mkdir(dirname(target), { recursive: true }).catch((err: NodeJS.ErrnoException) => {
    throw writeError(target, err);
  });
  // A symlinked parent could point outside the project; check where the directory really is.
  resolveInside(await realpath(root), join(await realpath(dirname(target)), 'x'));
  return target;
}

/**
 * Streams `body` into `target` through a temp file and a rename, so a cut upload never leaves half a file; `hash`,
 * when given, sees every byte on the way (an image's md5 without reading the file again).
 */
export async function writeStreamAtomically(target: string, body: ReadableStream<Uint8Array> | null, hash?: Hash): Promise<void> {
  // Hidden, so a listing made during the upload does not show a half-written file.
  const temp = join(dirname(target), `.${basename(target)}.${randomBytes(6).toString('hex')}.tmp`);
  const source = body ? Readable.fromWeb(body as NodeReadableStream<Uint8Array>) : Readable.from([]);
  const hashing = new Transform({
    transform(chunk: Buffer, _encoding, done) {
      hash?.update(chunk);
      done(null, chunk);
    },
  });
  try {
    await mkdir(dirname(target), { recursive: true });
    await pipeline(source, hashing, createWriteStream(temp));
    await rename(temp, target);
  } catch (err) {
    // The temp name may be one the file system refuses too (ENAMETOOLONG): cleaning up must not hide the cause.
    await rm(temp, { force: true }).catch(() => {});
    throw writeError(target, err as NodeJS.ErrnoException);
  }
}

/** File system failures of a write as GNS3 answers them: 403 permission, 404 missing path, 409 anything else. */
function writeError(target: string, err: NodeJS.ErrnoException): Error {
  if (isError(err)) return err;
  if (err.code === 'EACCES' || err.code === 'EPERM') return fail('PATH_FORBIDDEN');
  if (err.code === 'ENOENT' || err.code === 'ENOTDIR') return fail('FILE_NOT_FOUND');
  // EISDIR, ENOSPC (disk full), EFBIG (file size limit)...: a clear conflict rather than an internal error.
  if (err.code) return fail('FILE_WRITE_FAILED', target, err.message);
  return err;
}

const CONTENT_TYPES: Record<string, string> = {
  '.txt': 'text/plain',
  '.vpc': 'text/plain',
  '.json': 'application/json',
  '.gns3': 'application/json',
  '.pcap': 'application/vnd.tcpdump.pcap',
  '.png': 'image/png',
  '.svg': 'image/svg+xml',
};

export const contentType = (file: string): string => CONTENT_TYPES[extname(file).toLowerCase()] ?? 'application/octet-stream';
