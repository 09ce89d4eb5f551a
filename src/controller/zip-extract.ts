/**
 * Extraction of an untrusted ZIP (stored, deflate or Zstandard members) straight from its byte stream onto disk.
 * Nothing is held in memory beyond a few MiB: the input is fed to the decoders in small slices and what they produce
 * is written out before the next slice. Every member's inflated size, their total and the number of members are
 * counted as the data comes, so a decompression bomb is refused at the limit it crosses, whatever sizes its headers
 * claim. The caller extracts into a folder of its own and removes it when this throws.
 */
import { closeSync, mkdirSync, openSync, write, writeSync } from 'node:fs';
import { dirname } from 'node:path';
import { Unzip, UnzipInflate, type UnzipFile } from 'fflate';
import { Decompress as ZstdDecoder } from 'fzstd';
import { fail, isError, type PatchbayError } from '../errors/index.ts';
import { resolveInside } from '../storage/safe-path.ts';
import { ZIP_ZSTD } from './zip-archive.ts';

/** How much an archive may inflate to: one member, all members together, and how many members there may be. */
export type ExtractLimits = { memberBytes: number; totalBytes: number; members: number };

/** Bytes of an archive: a Node stream, an array of chunks, anything iterable. */
export type ArchiveSource = AsyncIterable<Uint8Array> | Iterable<Uint8Array>;

/**
 * Input goes to the decoders in slices this small. Deflate inflates at most ~1032:1, so a slice yields ≤ 17 MiB;
 * Zstandard yields 128 KiB blocks however small its input, which the high-water mark below keeps in check.
 */
const SLICE_BYTES = 16 * 1024;
/** Output queued beyond this is written synchronously from the decoder's callback instead of after the slice. */
const HIGH_WATER_BYTES = 8 * 1024 * 1024;

/** fflate's decoder interface for ZIP method 93, on fzstd's streaming decoder. */
class UnzipZstd {
  static compression = ZIP_ZSTD;
  ondata: (err: Error | null, data: Uint8Array, final: boolean) => void = () => {};
  #ended = false;
  readonly #decoder = new ZstdDecoder((data, final = false) => {
    this.#ended ||= final;
    this.ondata(null, data, final);
  });

  push(chunk: Uint8Array, final: boolean): void {
    try {
      this.#decoder.push(chunk, final);
      if (final && !this.#ended) this.ondata(null, new Uint8Array(0), true);
    } catch (err) {
      this.ondata(err as Error, new Uint8Array(0), true);
    }
  }
}

type Member = { path: string; fd: number; queue: Uint8Array[]; queued: number; done: boolean };

function writeAllSync(fd: number, data: Uint8Array): void {
  for (let at = 0; at < data.length;) at += writeSync(fd, data, at);
}

function writeAll(fd: number, data: Uint8Array): Promise<void> {
  return new Promise((resolve, reject) => {
    const from = (at: number) => {
      if (at >= data.length) return resolve();
      write(fd, data, at, data.length - at, null, (err, written) => (err ? reject(err) : from(at + written)));
    };
    from(0);
  });
}

/**
 * Writes the members of the ZIP read from `source` under `dir` (made if missing) and returns their names, in archive
 * order. Throws ARCHIVE_LIMIT (413) naming the limit crossed, ARCHIVE_INVALID_ZIP (409) for anything that is not a
 * readable ZIP, PATH_FORBIDDEN (403) for a member named outside `dir`, FILE_WRITE_FAILED (409) when the disk refuses.
 */
export async function extractZip(source: ArchiveSource, dir: string, limits: ExtractLimits): Promise<string[]> {
  const names: string[] = [];
  const open: Member[] = [];
  let count = 0;
  let total = 0;
  let refusal: PatchbayError | null = null;
  let invalid = false;
  const refuse = (error: PatchbayError): never => {
    refusal ??= error;
    throw refusal;
  };

  const flush = (member: Member) => {
    for (const chunk of member.queue) writeAllSync(member.fd, chunk);
    member.queue = [];
    member.queued = 0;
  };
  const unzip = new Unzip((file: UnzipFile) => {
    if (++count > limits.members) refuse(fail('ARCHIVE_LIMIT', `it has more than ${limits.members} members`));
    if (file.name.endsWith('/')) return;
    const path = resolveInside(dir, file.name);
    mkdirSync(dirname(path), { recursive: true });
    const member: Member = { path, fd: openSync(path, 'w', 0o644), queue: [], queued: 0, done: false };
    open.push(member);
    names.push(file.name);
    let bytes = 0;
    file.ondata = (err, data, final) => {
      if (refusal) return;
      if (err) {
        invalid = true;
        return;
      }
      bytes += data.length;
      total += data.length;
      if (bytes > limits.memberBytes) refuse(fail('ARCHIVE_LIMIT', `${file.name} inflates to more than ${limits.memberBytes} bytes`));
      if (total > limits.totalBytes) refuse(fail('ARCHIVE_LIMIT', `its members inflate to more than ${limits.totalBytes} bytes in all`));
      if (data.length > 0) {
        member.queue.push(data);
        member.queued += data.length;
      }
      member.done ||= final;
      if (member.queued <= HIGH_WATER_BYTES) return;
      try {
        flush(member);
      } catch (error) {
        refuse(fail('FILE_WRITE_FAILED', member.path, (error as Error).message));
      }
    };
    try {
      file.start();
    } catch {
      invalid = true; // an unknown compression method
    }
  });
  unzip.register(UnzipInflate);
  unzip.register(UnzipZstd);

  const push = async (slice: Uint8Array, final: boolean) => {
    try {
      unzip.push(slice, final);
    } catch (err) {
      if (refusal) throw refusal;
      if (isError(err)) throw err;
      if ((err as NodeJS.ErrnoException).code) throw fail('FILE_WRITE_FAILED', dir, (err as Error).message);
      invalid = true;
    }
    if (refusal) throw refusal;
    if (invalid) throw fail('ARCHIVE_INVALID_ZIP');
    // Write what the slice produced, then close finished members: one descriptor open at a time in the usual case.
    for (const member of open) {
      for (const chunk of member.queue.splice(0)) await writeAll(member.fd, chunk);
      member.queued = 0;
    }
    for (const member of open.filter((m) => m.done)) {
      closeSync(member.fd);
      open.splice(open.indexOf(member), 1);
    }
  };

  try {
    for await (const chunk of source) {
      for (let at = 0; at < chunk.length; at += SLICE_BYTES) await push(chunk.subarray(at, at + SLICE_BYTES), false);
    }
    await push(new Uint8Array(0), true);
    // A member still open was cut short; no member at all is no ZIP.
    if (open.length > 0 || count === 0) throw fail('ARCHIVE_INVALID_ZIP');
    return names;
  } catch (err) {
    if (!isError(err) && (err as NodeJS.ErrnoException).code) throw fail('FILE_WRITE_FAILED', dir, (err as Error).message);
    throw err;
  } finally {
    for (const member of open) closeSync(member.fd);
  }
}
