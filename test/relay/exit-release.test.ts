/**
 * The process exits while a relay worker forwards traffic and owns native descriptors: Node then terminates the
 * worker without running its JavaScript, and koffi used to take the whole process down (SIGSEGV from a poll handle's
 * close callback in the unloaded addon, or an abort from its readiness callback calling into the stopping thread).
 * The exit must be clean, every time: a few runs, since the crash depended on where the worker was at that moment.
 */
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import t from 'tap';
import { RELAY_IO } from './helpers.ts';

const root = fileURLToPath(new URL('../../', import.meta.url));
const RUNS = 4;

type Outcome = { code: number | null; signal: string | null; stdout: string; stderr: string };

const run = (): Promise<Outcome> =>
  new Promise((resolve) => {
    const child = execFile(process.execPath, ['--import', 'tsx', 'test/relay/fixtures/exit-under-traffic.ts'], { cwd: root, timeout: 60_000 }, (_, stdout, stderr) =>
      resolve({ code: child.exitCode, signal: child.signalCode, stdout, stderr }),
    );
  });

t.test('process.exit under traffic leaves through the exit code it asked for', async (t) => {
  for (let i = 1; i <= RUNS; i++) {
    const outcome = await run();
    const report = JSON.parse(outcome.stdout.trim().split('\n').at(-1) ?? '{}');
    t.equal(report.io, RELAY_IO === 'dgram' ? 'dgram' : 'native', `run ${i}: relay I/O backend`);
    t.ok(report.forwarded >= 200, `run ${i}: traffic was flowing`);
    t.same({ code: outcome.code, signal: outcome.signal }, { code: 0, signal: null }, `run ${i}: clean exit ${outcome.stderr}`);
  }
});
