import t from 'tap';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { isError } from '../../src/errors/index.ts';
import { Symbols } from '../../src/controller/symbols.ts';

t.test('custom symbols: saved atomically and served back; a name the file system refuses is a 409, not a 500', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'pb-symbols-'));
  t.teardown(() => rm(dir, { recursive: true, force: true }));
  const symbols = new Symbols(dir);
  const svg = new TextEncoder().encode('<svg width="10" height="20"/>');
  await symbols.save('mine.svg', svg);
  const { data, type } = await symbols.raw('mine.svg');
  t.same(new Uint8Array(data as Uint8Array), svg);
  t.equal(type, 'image/svg+xml');
  t.same(await symbols.dimensions('mine.svg'), { width: 10, height: 20 });

  // Found by the fuzz suite (seed 694418521): POST /v2/symbols/<300 characters>/raw answered 500.
  const err = await symbols.save(`${'a'.repeat(300)}.svg`, svg).catch((e: unknown) => e);
  t.ok(isError(err, 'FILE_WRITE_FAILED'), 'FILE_WRITE_FAILED');
  t.equal((err as { status: number }).status, 409);
  t.same(await readdir(dir), ['mine.svg'], 'no temp file left behind');
});
