/**
 * Issue #2, must-show 4: the same daemon sources under Deno 2 — start, version, project, VPCS pair ping, SIGTERM.
 * Issue #11, must-show 1: the relay runs its native I/O there (Deno.dlopen), forced so a fallback to dgram fails.
 */
import t from 'tap';
import { join } from 'node:path';
import { readState } from '../../src/compute/state-file.ts';
import { post, VPCS_083, withDaemon } from '../helpers/daemon.ts';
import { runSeedSession } from '../helpers/seed.ts';
import { processAlive } from '../helpers/ports.ts';

for (const vpcs of ['vpcs', VPCS_083]) t.test(`seed session under Deno with ${vpcs}`, async (t) => {
  const daemon = await withDaemon(t, { runtime: 'deno', args: ['--vpcs-path', vpcs, '--relay-io', 'native'] });
  const version = await daemon.json('/v2/compute/version', { expect: 200 });
  t.equal(version.version, '2.2.59');
  const seed = await runSeedSession(daemon);
  t.match(seed.pingOutput, /10\.0\.0\.2 icmp_seq=1 ttl=64/, 'ping crosses the relay under Deno');
  // The first bridge started the first relay worker.
  t.match(daemon.output(), /relay worker started.*"io":"native"/, 'native relay I/O under Deno');
  const recorded = async () => (await readState(join(daemon.projectsDir, '.patchbay'))).processes.map((p) => p.pid);
  t.ok((await recorded()).length === 2 && (await recorded()).every((pid) => seed.pids.includes(pid)), 'both VPCS are in the state journal');
  await daemon.json(`/v2/compute/projects/${seed.projectId}/close`, { ...post(), expect: 204 });
  t.same(seed.pids.filter(processAlive), [], 'no vpcs left after close');
  t.same(await recorded(), [], 'and their exits are journalled');
  t.equal(await daemon.stop(), 0, 'SIGTERM exits 0 under Deno');
});
