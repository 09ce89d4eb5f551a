/**
 * Supervised.spawn with output to a descriptor goes through posix_spawn (src/process/native-spawn.ts) on Node/Linux:
 * real processes, checked from /proc for what Node's detached spawn gave them (own session and group, working
 * directory, default signal dispositions, no inherited descriptor) and for exit codes, signals and spawn errors.
 */
import t from 'tap';
import { closeSync, mkdtempSync, openSync, readFileSync, readdirSync, readlinkSync, realpathSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { nativeSpawnUnsupported } from '../../src/process/native-spawn.ts';
import { runningProcesses, Supervised } from '../../src/process/supervised.ts';

const dir = realpathSync(mkdtempSync(join(tmpdir(), 'patchbay-spawn-')));
const log = openSync(join(dir, 'out.log'), 'w');
t.teardown(() => {
  closeSync(log);
  rmSync(dir, { recursive: true, force: true });
});

t.test('posix_spawn is what this platform uses', async (t) => {
  t.equal(nativeSpawnUnsupported(), null, 'Node on Linux with glibc ≥ 2.34');
});

t.test('a child gets its own session, the cwd, default signals and stdio only', async (t) => {
  const proc = await Supervised.spawn('sleep', ['30'], { cwd: dir, output: log, env: { PATCHBAY_SPAWN_PROBE: 'yes' } });
  t.teardown(() => proc.stop(0));
  const stat = readFileSync(`/proc/${proc.pid}/stat`, 'utf8');
  const [pgid, sid] = stat.slice(stat.lastIndexOf(')') + 2).split(' ').slice(2, 4).map(Number);
  t.equal(pgid, proc.pid, 'leads its process group');
  t.equal(sid, proc.pid, 'leads its session');
  t.equal(readlinkSync(`/proc/${proc.pid}/cwd`), dir);
  const status = readFileSync(`/proc/${proc.pid}/status`, 'utf8');
  // Signals 1-31; glibc keeps its two internal real-time signals (32, 33) ignored across posix_spawn, and re-arms them.
  const ignored = BigInt(`0x${/^SigIgn:\s+([0-9a-f]+)$/m.exec(status)![1]}`);
  t.equal(ignored & 0x7fffffffn, 0n, 'no standard signal ignored (Node ignores SIGPIPE)');
  t.match(status, /^SigBlk:\s+0+$/m, 'no signal blocked');
  t.same(readdirSync(`/proc/${proc.pid}/fd`).map(Number).sort(), [0, 1, 2], 'no descriptor of the agent leaks');
  t.equal(readlinkSync(`/proc/${proc.pid}/fd/1`), join(dir, 'out.log'), 'stdout on the given descriptor');
  t.match(readlinkSync(`/proc/${proc.pid}/fd/0`), /^pipe:/, 'stdin on a pipe, as Node gives');
  t.same(await proc.stop(0), { code: null, signal: 'SIGKILL' }, 'killed, and reaped');
  t.notOk(proc.alive);
});

// Asked of the child itself: the kernel lets posix_spawn return while the new image's environment is still being laid
// out, so /proc/<pid>/environ read at once can be empty.
t.test('the extra environment reaches the child', async (t) => {
  const env = await Supervised.spawn('env', [], { cwd: dir, output: log, env: { PATCHBAY_SPAWN_PROBE: 'yes' } });
  t.same(await env.exited, { code: 0, signal: null });
  t.match(readFileSync(join(dir, 'out.log'), 'utf8'), /^PATCHBAY_SPAWN_PROBE=yes$/m);
});

// The agent's environment is handed over as libc's live `environ`, not copied: a variable set, changed or removed
// through process.env after start-up must reach the child as it is now (the copy Node's executable holds of `environ`
// is the live one; libc's own symbol is not).
t.test("the agent's environment reaches the child as it is at the spawn", async (t) => {
  process.env.PATCHBAY_SPAWN_INHERITED = 'set-after-start';
  process.env.PATCHBAY_SPAWN_REMOVED = 'gone';
  delete process.env.PATCHBAY_SPAWN_REMOVED;
  t.teardown(() => delete process.env.PATCHBAY_SPAWN_INHERITED);
  const file = join(dir, 'env.log');
  // NUL-separated: a value may hold newlines.
  const env = await Supervised.spawn('env', ['-0'], { cwd: dir, output: { file } });
  t.same(await env.exited, { code: 0, signal: null });
  const lines = readFileSync(file, 'utf8').split('\0').filter(Boolean).sort();
  const expected = Object.entries(process.env).map(([key, value]) => `${key}=${value}`).sort();
  t.same(lines, expected, 'exactly process.env');
  t.ok(lines.includes('PATCHBAY_SPAWN_INHERITED=set-after-start'));
});

t.test('exit codes and signals are reported, output lands in the file', async (t) => {
  const exits = await Supervised.spawn('ls', ['no-such-entry'], { cwd: dir, output: log });
  t.same(await exits.exited, { code: 2, signal: null });
  t.match(readFileSync(join(dir, 'out.log'), 'utf8'), /no-such-entry/, 'stderr in the file');
  const killed = await Supervised.spawn('sleep', ['30'], { cwd: dir, output: log });
  process.kill(killed.pid, 'SIGTERM');
  t.same(await killed.exited, { code: null, signal: 'SIGTERM' });
});

t.test('a binary that cannot be started rejects like Node spawn', async (t) => {
  await t.rejects(Supervised.spawn(join(dir, 'missing'), [], { cwd: dir, output: log }), { code: 'ENOENT', message: /spawn .*missing ENOENT/ });
  await t.rejects(Supervised.spawn('sleep', ['1'], { cwd: join(dir, 'no-such-dir'), output: log }), { code: 'ENOENT' });
});

t.test('a log file by path is opened by the child: created or truncated, stdout and stderr in it', async (t) => {
  const file = join(dir, 'child.log');
  writeFileSync(file, 'left by an earlier run\n'.repeat(100));
  const shell = await Supervised.spawn('sh', ['-c', 'echo out; echo err >&2; ls -l /proc/self/fd/ >&2'], { cwd: dir, output: { file } });
  t.same(await shell.exited, { code: 0, signal: null });
  const text = readFileSync(file, 'utf8');
  t.notMatch(text, /earlier run/, 'truncated');
  t.match(text, /^out\nerr\n/, 'stdout then stderr, in order (one shared descriptor)');
  t.match(text, new RegExp(`1 -> ${join(dir, 'child.log')}`), 'stdout is the file');
  const fresh = join(dir, 'fresh.log');
  const created = await Supervised.spawn('true', [], { cwd: dir, output: { file: fresh } });
  t.same(await created.exited, { code: 0, signal: null });
  t.ok(statSync(fresh).isFile(), 'created');
});

t.test('a log file that cannot be opened fails the spawn, and no child runs', async (t) => {
  const before = runningProcesses().length;
  await t.rejects(Supervised.spawn('sleep', ['30'], { cwd: dir, output: { file: join(dir, 'no-such-dir', 'x.log') } }), { code: 'ENOENT' });
  t.equal(runningProcesses().length, before, 'nothing supervised');
});
