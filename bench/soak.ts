/**
 * `npm run bench:soak`: 1 000 (`--cycles N`) create/link/start/stop/delete cycles of a VPCS pair on one agent, then
 * checks that no emulator, port or file is left and reports the agent's RSS slope in KiB/cycle (least squares over
 * the second half, after warm-up). Prints a table and a final JSON line.
 */
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { post, startDaemon, VPCS_083 } from '../test/helpers/daemon.ts';
import { emulatorPids, reservedPorts, rssKiB } from '../test/helpers/leftovers.ts';
import { countEntries, slope, vpcsPairCycle } from './soak-cycle.ts';
import { table } from './lib/stats.ts';

const { values } = parseArgs({ options: { cycles: { type: 'string', default: '1000' }, vpcs: { type: 'string', default: VPCS_083 } } });
const CYCLES = Number(values.cycles);

const daemon = await startDaemon({ args: ['--vpcs-path', values.vpcs!] });
const pid = daemon.child.pid!;
try {
  const project = (await daemon.json('/v2/compute/projects', { ...post({ name: 'soak' }), expect: 201 })).project_id;
  const projectDir = join(daemon.root, 'projects', project);
  await vpcsPairCycle(daemon.url, project, -1);
  const entriesBefore = countEntries(projectDir);
  const rss: Array<[number, number]> = [];
  const started = performance.now();
  for (let i = 0; i < CYCLES; i++) {
    await vpcsPairCycle(daemon.url, project, i);
    rss.push([i, rssKiB(pid)]);
    if ((i + 1) % 100 === 0) console.error(`cycle ${i + 1}/${CYCLES}: RSS ${(rss.at(-1)![1] / 1024).toFixed(1)} MiB`);
  }
  const seconds = (performance.now() - started) / 1000;
  const result = {
    bench: 'soak',
    cycles: CYCLES,
    seconds: +seconds.toFixed(1),
    cycles_per_s: +(CYCLES / seconds).toFixed(2),
    emulators_left: emulatorPids(pid).length,
    ports_left: Object.values(await reservedPorts(daemon)).flat().length,
    entries_grown: countEntries(projectDir) - entriesBefore,
    rss_kib: { first: rss[0]![1], last: rss.at(-1)![1] },
    rss_slope_kib_per_cycle: +slope(rss).toFixed(2),
    rss_slope_kib_per_cycle_second_half: +slope(rss.slice(Math.floor(rss.length / 2))).toFixed(2),
  };
  console.log(table(['metric', 'value'], Object.entries(result).filter(([, v]) => typeof v !== 'object').map(([k, v]) => [k, String(v)])));
  console.log(`RSS ${result.rss_kib.first} KiB → ${result.rss_kib.last} KiB`);
  console.log(JSON.stringify(result));
} finally {
  await daemon.stop();
}
