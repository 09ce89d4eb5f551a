/** The relay pool from sources under `node --import tsx` and `deno run -A` (every daemon test runs the compiled pool). */
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import t from 'tap';
import { RELAY_IO } from './helpers.ts';

const root = fileURLToPath(new URL('../../', import.meta.url));
const smoke = 'test/relay/fixtures/relay-smoke.ts';

function run(command: string, args: string[]): Promise<string> {
  return new Promise((resolve, reject) =>
    execFile(command, args, { cwd: root, timeout: 60_000 }, (error, stdout, stderr) =>
      error ? reject(new Error(`${error.message}\n${stderr}`)) : resolve(stdout),
    ),
  );
}

const launchers: Array<[string, string, string[]]> = [
  ['node --import tsx', process.execPath, ['--import', 'tsx', smoke]],
  ['deno run -A', `${root}node_modules/.bin/deno`, ['run', '-A', smoke]],
];

for (const [name, command, args] of launchers) {
  t.test(`relays both ways under ${name}`, async (t) => {
    const result = JSON.parse((await run(command, args)).trim().split('\n').at(-1)!);
    // On the native I/O the bridge also moved to another worker and relayed once more each way, its counters continuing.
    const frames = RELAY_IO === 'dgram' ? 1 : 2;
    t.match(result, { toPeer: frames, toEmulator: frames, stats: { packets_in: 2 * frames, packets_out: 2 * frames } });
    t.equal(result.moved, RELAY_IO !== 'dgram', RELAY_IO === 'dgram' ? 'dgram: nothing moves' : 'native: the bridge moved live');
    // This suite runs on Linux x64, where auto means native: koffi under Node, Deno.dlopen under Deno.
    t.equal(result.io, RELAY_IO === 'dgram' ? 'dgram' : 'native', 'relay I/O backend');
  });
}
