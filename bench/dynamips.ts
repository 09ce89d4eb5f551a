/**
 * `npm run bench:dynamips`: start latency of Dynamips routers to their console banner, per platform, through the
 * real agent (POST start, then the banner on the public telnet console) and, as the same-run reference, through a
 * Dynamips hypervisor driven directly (spawn, the same VM commands, vm start, banner on its own console port): the
 * floor any backend pays. Routers run the test images (test/dynamips/images.ts) with 32 MB and their idle-PC.
 * gns3-server cannot be compared here: it needs real IOS images to create/start 100 routers.
 */
import { randomUUID } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { PLATFORMS, type Platform } from '../src/compute/dynamips/platforms.ts';
import { Hypervisor } from '../src/compute/dynamips/hypervisor.ts';
import { Supervised } from '../src/process/supervised.ts';
import { startDaemon, post } from '../test/helpers/daemon.ts';
import { TelnetClient } from '../test/helpers/telnet.ts';
import { BANNER, DYNAMIPS, imageFor, testImages, type TestImage } from '../test/dynamips/images.ts';
import { percentile, table } from './lib/stats.ts';

const { values } = parseArgs({ options: { runs: { type: 'string', default: '5' } } });
const RUNS = Number(values.runs);
const BANNER_RE = new RegExp(BANNER);
const images = testImages();

async function bannerOn(port: number): Promise<void> {
  const console = await TelnetClient.connect(port);
  try {
    await console.waitFor(BANNER_RE, 20_000);
  } finally {
    console.close();
  }
}

/** Through the agent: create once, then start → banner, stop, `RUNS` times (the first start also builds ghost RAM). */
async function viaAgent(): Promise<Map<Platform, number[]>> {
  const daemon = await startDaemon({ args: ['--dynamips-path', DYNAMIPS, '--console-ports', '12000-12999', '--udp-ports', '13000-15999'] });
  const out = new Map<Platform, number[]>();
  try {
    for (const image of Object.values(images)) await daemon.api(`/v2/compute/dynamips/images/${image.name}`, { method: 'POST', body: readFileSync(image.file) });
    const projectId = randomUUID();
    await daemon.json('/v2/compute/projects', { ...post({ name: 'bench', project_id: projectId }), expect: 201 });
    const base = `/v2/compute/projects/${projectId}/dynamips/nodes`;
    for (const platform of PLATFORMS) {
      const image = images[imageFor(platform)];
      const router = await daemon.json(base, { ...post({ name: platform, platform, image: image.name, ram: 32, idlepc: image.idlePc }), expect: 201 });
      const latencies: number[] = [];
      for (let run = 0; run < RUNS; run++) {
        const t0 = performance.now();
        await daemon.json(`${base}/${router.node_id}/start`, { ...post(), expect: 204 });
        await bannerOn(router.console);
        latencies.push(performance.now() - t0);
        await daemon.json(`${base}/${router.node_id}/stop`, { ...post(), expect: 204 });
      }
      out.set(platform, latencies);
    }
    await daemon.json(`/v2/compute/projects/${projectId}`, { method: 'DELETE', expect: 204 });
  } finally {
    await daemon.stop();
  }
  return out;
}

/** Directly: spawn a hypervisor, create and start the VM with the same settings, read the banner off its console. */
async function directStart(dir: string, platform: Platform, image: TestImage, port: number): Promise<number> {
  const t0 = performance.now();
  const proc = await Supervised.spawn(DYNAMIPS, ['-N1', '-H', `127.0.0.1:${port}`], { cwd: dir, output: 'pipe' });
  proc.pipes!.stdout.resume();
  proc.pipes!.stderr.resume();
  const hv = await Hypervisor.connect(port);
  try {
    await hv.send(`hypervisor working_dir "${dir}"`);
    await hv.send(`vm create "R" 1 ${platform}`);
    await hv.send(`vm set_con_tcp_port "R" ${port + 1}`);
    if (platform === 'c7200') await hv.send('vm slot_add_binding "R" 0 0 C7200-IO-FE');
    await hv.send(`vm set_ios "R" "${image.file}"`);
    await hv.send('vm set_ram "R" 32');
    await hv.send(`vm set_idle_pc "R" ${image.idlePc}`);
    await hv.send('vm start "R"');
    await bannerOn(port + 1);
    return performance.now() - t0;
  } finally {
    await hv.send('hypervisor stop').catch(() => undefined);
    hv.close();
    await proc.stop(2000);
  }
}

async function direct(): Promise<Map<Platform, number[]>> {
  const dir = mkdtempSync(join(tmpdir(), 'bench-dynamips-'));
  const out = new Map<Platform, number[]>();
  try {
    for (const platform of PLATFORMS) {
      const latencies: number[] = [];
      for (let run = 0; run < RUNS; run++) latencies.push(await directStart(dir, platform, images[imageFor(platform)], 16000 + run * 2));
      out.set(platform, latencies);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  return out;
}

const agent = await viaAgent();
const floor = await direct();
const rows = PLATFORMS.map((p) => {
  const a = agent.get(p)!;
  const d = floor.get(p)!;
  return [p, percentile(a, 50), Math.max(...a), percentile(d, 50), percentile(a, 50) / percentile(d, 50)];
});
console.log(`Dynamips start → console banner, ${RUNS} runs per platform (ms)`);
console.log(table(['platform', 'agent p50', 'agent max (1st: ghost RAM)', 'direct p50', 'agent/direct'], rows));
const all = (m: Map<Platform, number[]>) => [...m.values()].flat();
const summary = {
  bench: 'dynamips',
  runs: RUNS,
  agent_start_to_banner_p50_ms: Math.round(percentile(all(agent), 50)),
  direct_start_to_banner_p50_ms: Math.round(percentile(all(floor), 50)),
  ratio_agent_to_direct_p50: Number((percentile(all(agent), 50) / percentile(all(floor), 50)).toFixed(2)),
};
console.log(JSON.stringify(summary));
