/**
 * The state recorder with real processes: each spawn and exit is a journal line and leaves the snapshot alone, the
 * journal is folded into the snapshot as it grows, and what the reaper reads is the same either way.
 */
import t from 'tap';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Supervised } from '../../src/process/supervised.ts';
import { readState, STATE_FILE, StateFileError, StateRecorder } from '../../src/compute/state-file.ts';
import { journalFile } from '../../src/storage/snapshot-journal.ts';
import type { Teardown } from '../helpers/daemon.ts';

function stateDir(t: Teardown): string {
  const dir = mkdtempSync(join(tmpdir(), 'patchbay-state-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

/** A recorder that owns every process spawned with its directory as working directory. */
async function recorder(t: Teardown, dir: string): Promise<StateRecorder> {
  const recorder = await StateRecorder.start({
    dir,
    ranges: [[20000, 20099]],
    nodeOf: (proc) => (proc.cwd === dir ? { nodeId: `node-${proc.args[1]}`, projectId: 'p' } : null),
  });
  t.teardown(() => recorder.close());
  return recorder;
}

const sleeper = async (t: Teardown, cwd: string, port: number) => {
  const proc = await Supervised.spawn('sleep', ['300', String(port)], { cwd, output: { file: '/dev/null' } });
  t.teardown(() => proc.stop(0));
  return proc;
};

const snapshotStamp = (dir: string) => {
  const { ino, mtimeMs } = statSync(join(dir, STATE_FILE));
  return { ino, mtimeMs };
};

t.test('a spawn and an exit are journalled without rewriting the snapshot; the reader sees them', async (t) => {
  const dir = stateDir(t);
  await recorder(t, dir);
  const before = snapshotStamp(dir);
  const state = await readState(dir);
  t.same(state.processes, []);
  t.equal(state.agent?.pid, process.pid);

  const a = await sleeper(t, dir, 20001);
  const b = await sleeper(t, dir, 20002);
  await sleeper(t, tmpdir(), 20003); // not one of this recorder's nodes
  const running = await readState(dir);
  t.same(running.processes.map((p) => [p.pid, p.node_id, p.ports]), [[a.pid, 'node-20001', [20001]], [b.pid, 'node-20002', [20002]]]);
  t.ok(running.processes.every((p) => p.start_time !== null && p.pgid === p.pid));
  t.same(snapshotStamp(dir), before, 'the snapshot file was not rewritten');

  await a.stop(0);
  t.same((await readState(dir)).processes.map((p) => p.pid), [b.pid], 'an exit is journalled too');
  t.same(snapshotStamp(dir), before);
});

t.test('the journal is folded into the snapshot once it outgrows the records; the reader sees the same state', async (t) => {
  const dir = stateDir(t);
  const rec = await recorder(t, dir);
  const kept = await sleeper(t, dir, 20010);
  // 1 spawn so far; each round adds two lines and no record, so a compaction comes within 64 + 2 lines.
  for (let i = 0; i < 40; i++) await (await sleeper(t, dir, 20011)).stop(0);
  await rec.flush(); // waits for the compaction the journal's growth queued (and takes one more)
  const snapshot = JSON.parse(readFileSync(join(dir, STATE_FILE), 'utf8'));
  t.ok(snapshot.journal > 2, `compacted (journal generation ${snapshot.journal})`);
  t.same(snapshot.processes.map((p: { pid: number }) => p.pid), [kept.pid], 'the snapshot holds what runs');
  t.same(readdirSync(dir).filter((n) => n.endsWith('.journal')), [`${STATE_FILE}.${snapshot.journal}.journal`], 'older journals are gone');
  t.same((await readState(dir)).processes.map((p) => p.pid), [kept.pid]);
});

t.test('close marks a clean shutdown; a process still running stays listed', async (t) => {
  const dir = stateDir(t);
  const rec = await recorder(t, dir);
  const proc = await sleeper(t, dir, 20020);
  await rec.close();
  const state = await readState(dir);
  t.equal(state.agent, null);
  t.same(state.processes.map((p) => p.pid), [proc.pid]);
});

t.test('replay: keys are pid and start time, a torn tail is skipped, a bad complete line is an error', async (t) => {
  const dir = stateDir(t);
  const file = join(dir, STATE_FILE);
  const record = (pid: number, start_time: string) => ({ pid, start_time, pgid: pid, argv: ['vpcs'], ports: [], node_id: null, project_id: null });
  writeFileSync(file, JSON.stringify({ version: 1, agent: null, processes: [record(100, '5')], journal: 7 }));
  writeFileSync(journalFile(file, 6), `${JSON.stringify({ exit: { pid: 100, start_time: '5' } })}\n`); // before the snapshot
  writeFileSync(journalFile(file, 7), [
    JSON.stringify({ exit: { pid: 100, start_time: '4' } }), // an earlier process with the same pid
    JSON.stringify({ spawn: record(200, '9') }),
    JSON.stringify({ spawn: record(300, '9') }),
    JSON.stringify({ exit: { pid: 300, start_time: '9' } }),
    '{"spawn":',
  ].join('\n'));
  t.same((await readState(dir)).processes.map((p) => p.pid), [100, 200]);

  writeFileSync(journalFile(file, 8), '{"spawn":{"pid":1}}\n');
  const err = await readState(dir).catch((e: unknown) => e);
  t.type(err, StateFileError);
  t.match((err as Error).message, `Journal ${journalFile(file, 8)} line 1 is invalid: "spawn.pid": Invalid value: Expected >=2 but received 1;`, 'naming the line and the field');
});
