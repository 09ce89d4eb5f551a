/**
 * CI-sized soak: ~50 create/link/start/stop/delete cycles of a VPCS pair on one agent leave no emulator, no reserved
 * port and no files behind. The RSS slope is reported, not asserted (`npm run bench:soak` runs 1 000 cycles).
 */
import t from 'tap';
import { join } from 'node:path';
import { post, VPCS_083, withDaemon } from '../helpers/daemon.ts';
import { emulatorPids, reservedPorts, rssKiB } from '../helpers/leftovers.ts';
import { countEntries, slope, vpcsPairCycle } from '../../bench/soak-cycle.ts';

const CYCLES = Number(process.env.PATCHBAY_SOAK_CYCLES ?? 50);
t.setTimeout(300_000);

t.test(`${CYCLES} VPCS pair cycles leave nothing behind`, async (t) => {
  const daemon = await withDaemon(t, { args: ['--vpcs-path', VPCS_083] });
  const pid = daemon.child.pid!;
  const project = (await daemon.json('/v2/compute/projects', { ...post({ name: 'soak' }), expect: 201 })).project_id;
  const projectDir = join(daemon.root, 'projects', project);
  // The first cycle creates project-files/vpcs/, which stays (as in GNS3); count from there.
  await vpcsPairCycle(daemon.url, project, -1);
  const entriesBefore = countEntries(projectDir);
  const rss: Array<[number, number]> = [];
  for (let i = 0; i < CYCLES; i++) {
    await vpcsPairCycle(daemon.url, project, i);
    rss.push([i, rssKiB(pid)]);
  }
  t.same(emulatorPids(pid), [], 'no VPCS left running');
  t.same(await reservedPorts(daemon), { console_ports: [], udp_ports: [] }, 'no port reserved');
  t.equal(countEntries(projectDir), entriesBefore, 'no node directory or file left');
  const half = rss.slice(Math.floor(rss.length / 2));
  t.comment(JSON.stringify({ soak: 'vpcs-pair', cycles: CYCLES, rss_kib_first: rss[0]?.[1], rss_kib_last: rss.at(-1)?.[1], rss_slope_kib_per_cycle_second_half: +slope(half).toFixed(2) }));
  await daemon.json(`/v2/compute/projects/${project}`, { method: 'DELETE', expect: 204 });
});
