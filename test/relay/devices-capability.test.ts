/**
 * Issue 11, must-show 2: without CAP_NET_RAW / CAP_NET_ADMIN (the process runs under `capsh --drop=...`), raw and TAP
 * sides are refused with a 409 naming the capability, nothing is left behind, and UDP bridges keep working.
 */
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import t from 'tap';
import { linkExists, prefix } from './kernel-devices.ts';

if (process.getuid?.() !== 0) t.plan(0, 'capsh --drop needs root (CI runs as root)');

const root = fileURLToPath(new URL('../../', import.meta.url));

t.test('raw and TAP sides without the capabilities: 409 naming them, nothing left, UDP fine', async (t) => {
  const tap = `${prefix}c`;
  const stdout = await new Promise<string>((resolve, reject) =>
    execFile(
      'capsh',
      ['--drop=cap_net_raw,cap_net_admin', `--shell=${process.execPath}`, '--', '--import', 'tsx', 'test/relay/fixtures/no-capability.ts', tap],
      { cwd: root, timeout: 60_000 },
      (error, out, err) => (error ? reject(new Error(`${error.message}\n${err}`)) : resolve(out)),
    ),
  );
  const result = JSON.parse(stdout.trim().split('\n').at(-1)!);
  t.match(result.raw, { code: 'CAPABILITIES_MISSING', status: 409, message: /interface "lo" needs the capability CAP_NET_RAW,/ });
  t.match(result.tap, { code: 'CAPABILITIES_MISSING', status: 409, message: /needs the capability CAP_NET_ADMIN,/ });
  t.equal(result.fdsAfter, result.fdsBefore, 'no descriptor left open by the refused requests');
  t.notOk(linkExists(tap), 'no TAP device created');
  t.equal(result.udp, 1, 'UDP bridges keep working');
});
