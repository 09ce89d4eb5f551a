/**
 * Issue #12: Supervised.spawn's `timerSlackNs` reaches the child and the threads it creates (each reads its own slack
 * with prctl from a python3 child), through posix_spawn (output to a descriptor) and through Node's spawn (pipes),
 * and the agent's thread gets its own slack back.
 */
import t, { type Test } from 'tap';
import { closeSync, mkdtempSync, openSync, readFileSync, realpathSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Supervised } from '../../src/process/supervised.ts';

const dir = realpathSync(mkdtempSync(join(tmpdir(), 'patchbay-slack-')));
t.teardown(() => rmSync(dir, { recursive: true, force: true }));

/** Prints the slack of its main thread and of a thread it starts (PR_GET_TIMERSLACK = 30). */
const probe = [
  '-c',
  [
    'import ctypes, threading',
    'libc = ctypes.CDLL(None)',
    'slack = lambda: libc.prctl(30, 0, 0, 0, 0)',
    'seen = []',
    'thread = threading.Thread(target=lambda: seen.append(slack()))',
    'thread.start(); thread.join()',
    'print(slack(), seen[0])',
  ].join('\n'),
];

const ownSlack = () => Number(readFileSync('/proc/self/timerslack_ns', 'utf8'));

async function probeThrough(t: Test, output: 'file' | 'pipe', timerSlackNs?: number): Promise<string> {
  const file = join(dir, `probe-${output}-${timerSlackNs}.log`);
  const fd = output === 'file' ? openSync(file, 'w') : null;
  try {
    const proc = await Supervised.spawn('python3', probe, { cwd: dir, output: fd ?? 'pipe', timerSlackNs });
    let printed = '';
    proc.pipes?.stdout.on('data', (chunk: Buffer) => (printed += chunk.toString()));
    t.same(await proc.exited, { code: 0, signal: null }, `probe through ${output} exits 0`);
    return (fd === null ? printed : readFileSync(file, 'utf8')).trim();
  } finally {
    if (fd !== null) closeSync(fd);
  }
}

for (const output of ['file', 'pipe'] as const) {
  t.test(`spawned with output to a ${output}`, async (t) => {
    const before = ownSlack();
    t.not(before, 7_000_000, 'the test runs with a slack of its own');
    t.equal(await probeThrough(t, output, 7_000_000), '7000000 7000000', 'the child and its new thread start with the slack given');
    t.equal(ownSlack(), before, "the spawning thread's slack is restored");
    t.equal(await probeThrough(t, output), `${before} ${before}`, 'without the option the child gets the spawning thread\'s slack');
  });
}
