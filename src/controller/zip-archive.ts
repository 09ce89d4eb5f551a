/**
 * Writing ZIP archives in the three forms GNS3 3.0 reads and writes: stored, deflate, and Zstandard (ZIP method 93,
 * 3.0's default export). fflate writes the ZIP structure; Zstandard frames come from the reference zstd library
 * compiled to WebAssembly (`@bokuweb/zstd-wasm`: Node's zlib has no zstd before Node 22, and one package runs the same
 * on Node and Deno), loaded once on first use. Reading is zip-extract.ts: streamed, and bounded.
 */
import { Zip, ZipPassThrough, zipSync } from 'fflate';
import { compress as zstdCompress, init as zstdInit } from '@bokuweb/zstd-wasm';

/** PKWARE APPNOTE 4.4.5: the method number of Zstandard. */
export const ZIP_ZSTD = 93;
export type ZipMethod = 'store' | 'deflate' | 'zstd';

let codec: Promise<void> | undefined;
/** Loads the WebAssembly codec (once). */
const zstdReady = () => (codec ??= zstdInit());

/** One member compressed with Zstandard as a whole once its last chunk arrives. */
class ZipZstd extends ZipPassThrough {
  readonly #chunks: Uint8Array[] = [];
  readonly #level: number;

  constructor(filename: string, level: number) {
    super(filename);
    this.compression = ZIP_ZSTD;
    this.#level = level;
  }

  protected override process(chunk: Uint8Array<ArrayBuffer>, final: boolean): void {
    this.#chunks.push(chunk);
    if (final) this.ondata(null, zstdCompress(concat(this.#chunks), this.#level) as Uint8Array<ArrayBuffer>, true);
  }
}

function concat(chunks: Uint8Array[]): Uint8Array {
  if (chunks.length === 1) return chunks[0];
  const out = new Uint8Array(chunks.reduce((n, c) => n + c.length, 0));
  let at = 0;
  for (const chunk of chunks) {
    out.set(chunk, at);
    at += chunk.length;
  }
  return out;
}

/**
 * A ZIP of `files` (path → bytes) with `method`; `level` is the method's own scale (deflate 0–9, zstd 1–22).
 * @example await zipArchive({ 'project.gns3': bytes }, 'zstd', 3)
 */
export async function zipArchive(files: Record<string, Uint8Array>, method: ZipMethod, level?: number): Promise<Uint8Array> {
  if (method !== 'zstd') return zipSync(files, { level: method === 'store' ? 0 : ((level ?? 6) as 6) });
  await zstdReady();
  const parts: Uint8Array[] = [];
  let failure: Error | null = null;
  const zip = new Zip((err, data) => {
    if (err) failure = err;
    else parts.push(data);
  });
  for (const [name, data] of Object.entries(files)) {
    const member = new ZipZstd(name, level ?? 3);
    zip.add(member);
    member.push(data, true);
  }
  zip.end();
  if (failure) throw failure;
  return concat(parts);
}
