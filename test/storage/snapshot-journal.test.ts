/** The snapshot + append-only journal store on real files: order, torn lines, rotation and what a crash leaves. */
import t from 'tap';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Teardown } from '../helpers/daemon.ts';
import { journalFile, readJournals, SnapshotJournal } from '../../src/storage/snapshot-journal.ts';

function scratch(t: Teardown): string {
  const dir = mkdtempSync(join(tmpdir(), 'patchbay-journal-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  return join(dir, 'state.json');
}

const texts = async (file: string, generation: number) => (await readJournals(file, generation)).map((l) => l.text);
const journals = (file: string) => readdirSync(join(file, '..')).filter((name) => name.endsWith('.journal')).sort();

t.test('lines go to the journal the last snapshot names, in order; the snapshot captures what came before it', async (t) => {
  const file = scratch(t);
  const journal = await SnapshotJournal.open(file);
  t.notOk(journal.append('early'), 'nothing is appended before the first snapshot opens a journal');
  let seen: string[] = [];
  const lines: string[] = [];
  await journal.snapshot((generation) => JSON.stringify({ generation, lines: (seen = [...lines]) }));
  t.same(JSON.parse(readFileSync(file, 'utf8')), { generation: 1, lines: [] });
  for (const line of ['a', 'b', 'c']) {
    lines.push(line);
    t.ok(journal.append(line), `appended ${line}`);
  }
  t.equal(journal.appended, 3);
  t.same(await texts(file, 1), ['a', 'b', 'c']);
  t.same(readFileSync(file, 'utf8'), JSON.stringify({ generation: 1, lines: [] }), 'appending does not touch the snapshot');

  const next = journal.snapshot((generation) => JSON.stringify({ generation, lines: (seen = [...lines]) }));
  lines.push('d');
  t.ok(journal.append('d'), 'a line appended while the snapshot is queued');
  await next;
  t.same(seen, ['a', 'b', 'c', 'd'], 'a queued snapshot renders when its turn comes, with every change so far');
  t.same(JSON.parse(readFileSync(file, 'utf8')).generation, 2);
  t.same(journals(file), ['state.json.2.journal'], 'the older journal is removed once the snapshot is on disk');
  t.equal(journal.appended, 0);
  t.ok(journal.append('e'));
  t.same(await texts(file, 2), ['e']);
  await journal.close();
  t.same(journals(file), ['state.json.2.journal'], 'a journal with lines stays after close');
});

t.test('snapshots asked for while one is queued share it', async (t) => {
  const file = scratch(t);
  const journal = await SnapshotJournal.open(file);
  let renders = 0;
  const render = (generation: number) => `${++renders} ${generation}`;
  const first = journal.snapshot(render);
  const second = journal.snapshot(render);
  t.equal(first, second);
  await first;
  const [a, b, c] = [journal.snapshot(render), journal.snapshot(render), journal.snapshot(render)];
  t.equal(a, b);
  t.equal(b, c);
  await c;
  t.equal(renders, 2);
  t.equal(readFileSync(file, 'utf8'), '2 2');
  await journal.close();
  t.same(journals(file), [], 'an empty journal is removed at close: the snapshot says it all');
});

t.test('a torn last line is left out; later generations are read after earlier ones', async (t) => {
  const file = scratch(t);
  writeFileSync(journalFile(file, 3), 'x1\nx2\n{"torn');
  writeFileSync(journalFile(file, 4), 'y1\n');
  writeFileSync(journalFile(file, 2), 'old\n');
  writeFileSync(`${file}.notanumber.journal`, 'ignored\n');
  t.same(await texts(file, 3), ['x1', 'x2', 'y1'], 'journals older than the snapshot are skipped, the torn tail too');
  const lines = await readJournals(file, 3);
  t.match(lines[2], { file: journalFile(file, 4), line: 1 }, 'each line says where it comes from');

  // What a crash between starting journal 5 and writing its snapshot leaves: the snapshot still names 3.
  const journal = await SnapshotJournal.open(file);
  await journal.snapshot((generation) => `gen ${generation}`);
  t.equal(readFileSync(file, 'utf8'), 'gen 5', 'a new writer starts after every journal it finds');
  t.same(journals(file), ['state.json.5.journal', 'state.json.notanumber.journal'], 'and removes them (only them) once its snapshot is on disk');
  await journal.close();
});

t.test('a failed snapshot is reported to its callers and the next one still runs; a closed journal takes no line', async (t) => {
  const file = scratch(t);
  const journal = await SnapshotJournal.open(file);
  await journal.snapshot(() => 'one');
  t.ok(journal.append('kept'));
  await t.rejects(journal.snapshot(() => {
    throw new Error('render failed');
  }), /render failed/);
  t.equal(readFileSync(file, 'utf8'), 'one', 'the snapshot on disk is the last good one');
  t.same(journals(file), ['state.json.1.journal', 'state.json.2.journal'], 'and the journals it needs are kept');
  t.ok(journal.append('after'), 'appends go on into the new journal');
  t.same(await texts(file, 1), ['kept', 'after']);
  await journal.snapshot(() => 'three');
  t.same(journals(file), ['state.json.3.journal']);
  await journal.close();
  t.notOk(journal.append('closed'), 'a closed journal refuses lines, so that the caller writes a snapshot instead');
});
