/** Recursive listing of regular files, shared by the project files API and the image store. */
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';

/**
 * Yields the path of every regular file under `root`, depth first, in name order. Symlinks are not followed and
 * unreadable folders are skipped; `skip` leaves out files and folders by name.
 */
export async function* regularFiles(root: string, skip: (name: string) => boolean = () => false): AsyncGenerator<string> {
  let entries;
  try {
    entries = await readdir(root, { withFileTypes: true });
  } catch {
    return;
  }
  for (const entry of entries.sort((a, b) => a.name.localeCompare(b.name))) {
    if (skip(entry.name)) continue;
    const full = join(root, entry.name);
    if (entry.isDirectory()) yield* regularFiles(full, skip);
    else if (entry.isFile()) yield full;
  }
}
