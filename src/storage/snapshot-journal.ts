/**
 * A file kept as a snapshot, rewritten atomically now and then, plus an append-only journal of the changes since.
 *
 * Why: an atomic rewrite costs a temp file, a write, an fsync and a rename through libuv's pool, ≈ 0.55 ms of CPU
 * whatever the size; appending one line is a single write(2) on a descriptor kept open, a few µs. A record that only
 * has to outlive the process (not the host) can take the cheap path for every change and the expensive one rarely.
 *
 * Files: `<file>` is the snapshot; it names the generation of the journal that continues it, `<file>.<gen>.journal`.
 * A new snapshot first starts the next journal, so a change is always in the snapshot on disk or in a journal at or
 * after its generation: readers replay every journal from the snapshot's generation on, in order, and replaying a
 * journal the snapshot already covers changes nothing as long as each line sets or deletes one key.
 */
import { Buffer } from 'node:buffer';
import { closeSync, openSync, unlinkSync, writeSync } from 'node:fs';
import { readdir, readFile, rm } from 'node:fs/promises';
import { basename, dirname } from 'node:path';
import { atomicWrite } from './atomic-write.ts';

const SUFFIX = '.journal';

/** The journal of one generation, beside the snapshot. */
export const journalFile = (file: string, generation: number) => `${file}.${generation}${SUFFIX}`;

/** Generations of the journals beside `file`, oldest first. */
async function journalGenerations(file: string): Promise<number[]> {
  const prefix = `${basename(file)}.`;
  const names = await readdir(dirname(file));
  return names
    .flatMap((name) => {
      if (!name.startsWith(prefix) || !name.endsWith(SUFFIX)) return [];
      const generation = Number(name.slice(prefix.length, -SUFFIX.length));
      return Number.isSafeInteger(generation) && generation > 0 ? [generation] : [];
    })
    .sort((a, b) => a - b);
}

export type JournalLine = { text: string; file: string; line: number };

/**
 * The complete lines journalled from `generation` on, oldest first. A last line without its newline is a write cut
 * short (a full disk, or a power loss) and is left out: the writer never appends after one.
 */
export async function readJournals(file: string, generation: number): Promise<JournalLine[]> {
  const lines: JournalLine[] = [];
  for (const g of await journalGenerations(file)) {
    if (g < generation) continue;
    const path = journalFile(file, g);
    let text: string;
    try {
      text = await readFile(path, 'utf8');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') continue; // removed by a writer after its snapshot
      throw err;
    }
    const complete = text.slice(0, text.lastIndexOf('\n') + 1).split('\n');
    complete.pop();
    complete.forEach((line, i) => lines.push({ text: line, file: path, line: i + 1 }));
  }
  return lines;
}

/** Writes one snapshot file and its journal. Changes are appended synchronously; snapshots are queued. */
export class SnapshotJournal {
  readonly file: string;
  #generation: number;
  #fd = -1;
  #appended = 0;
  /** The queued snapshot, as its caller sees it; `#last` is the same without its failure, for the next to wait on. */
  #pending: Promise<void> = Promise.resolve();
  #last: Promise<void> = Promise.resolve();
  #queued = false;

  private constructor(file: string, generation: number) {
    this.file = file;
    this.#generation = generation;
  }

  /** A writer for `file`; its first snapshot starts a journal after any left in the directory. */
  static async open(file: string): Promise<SnapshotJournal> {
    const generations = await journalGenerations(file);
    return new SnapshotJournal(file, generations.at(-1) ?? 0);
  }

  /** Lines appended since the last snapshot began. */
  get appended(): number {
    return this.#appended;
  }

  /**
   * Appends one line (without its newline). False when it was not written whole, or no journal is open yet: the
   * caller then takes a snapshot, which starts a fresh journal; this one gets nothing more after a torn line.
   */
  append(line: string): boolean {
    if (this.#fd < 0) return false;
    const data = Buffer.from(`${line}\n`);
    let written = 0;
    try {
      written = writeSync(this.#fd, data);
    } catch {
      // Full disk or I/O error: reported by the snapshot the caller takes next.
    }
    if (written === data.length) {
      this.#appended++;
      return true;
    }
    this.#closeJournal();
    return false;
  }

  /**
   * Queues a snapshot: when its turn comes, the next journal is opened and `render(generation)` is called at once,
   * so it describes every change appended so far and none appended later. Calls made while one is queued share it.
   * Older journals are removed once the snapshot is on disk.
   */
  snapshot(render: (generation: number) => string): Promise<void> {
    if (this.#queued) return this.#pending;
    this.#queued = true;
    this.#pending = this.#last.then(async () => {
      this.#queued = false;
      const generation = this.#rotate();
      await atomicWrite(this.file, render(generation));
      for (const old of await journalGenerations(this.file)) {
        if (old < generation) await rm(journalFile(this.file, old), { force: true });
      }
    });
    // The next snapshot still runs after a failed one; the failure goes to this call's callers.
    this.#last = this.#pending.catch(() => {});
    return this.#pending;
  }

  /** Waits for queued snapshots and closes the journal; an empty one is removed, since the snapshot says it all. */
  async close(): Promise<void> {
    await this.#last;
    const empty = this.#appended === 0 && this.#fd >= 0;
    this.#closeJournal();
    if (empty) {
      try {
        unlinkSync(journalFile(this.file, this.#generation));
      } catch {
        // Already gone: nothing to tidy.
      }
    }
  }

  #rotate(): number {
    this.#closeJournal();
    this.#generation++;
    this.#appended = 0;
    try {
      // 'a' (append, create): no generation is used twice, so there is nothing to truncate, and Deno refuses numeric
      // flags that combine O_APPEND with O_TRUNC.
      this.#fd = openSync(journalFile(this.file, this.#generation), 'a', 0o644);
    } catch {
      // No journal (e.g. out of descriptors): every change then asks for a snapshot, as append() returns false.
    }
    return this.#generation;
  }

  #closeJournal(): void {
    if (this.#fd < 0) return;
    closeSync(this.#fd);
    this.#fd = -1;
  }
}
