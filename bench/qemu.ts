/**
 * `npm run bench:qemu`: QEMU nodes through the real agent (TCG, host kernel + busybox initramfs).
 * 1. Boot latency: start request → start answered → first guest byte on the telnet console → init shell ready,
 *    against the same QEMU launched directly with its serial on stdio (the floor without any agent).
 * 2. Agent overhead per running VM: agent CPU and RSS with N linked, idle VMs minus the agent with none, per VM,
 *    next to what each QEMU process itself uses.
 * Options: --vms N (default 4), --runs R boot runs (default 3), --window S measuring seconds (default 10).
 */
import { randomUUID } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync, copyFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { spawn } from 'node:child_process';
import { startDaemon, post, type DaemonProcess } from '../test/helpers/daemon.ts';
import { TelnetClient } from '../test/helpers/telnet.ts';
import { buildInitramfs, kernelPath } from '../test/qemu/guest.ts';
import { percentile, rssMiB, table } from './lib/stats.ts';

const { values } = parseArgs({
  options: { vms: { type: 'string', default: '4' }, runs: { type: 'string', default: '3' }, window: { type: 'string', default: '10' } },
});
const VMS = Number(values.vms);
const RUNS = Number(values.runs);
const WINDOW_S = Number(values.window);
const READY = /PATCHBAY-READY/;
/** Bytes of the telnet greeting the agent sends every console client before any guest output. */
const GREETING_BYTES = 12;
const RAM = 128;

const imagesDir = mkdtempSync(join(tmpdir(), 'patchbay-bench-images-'));
mkdirSync(join(imagesDir, 'QEMU'));
const kernel = join(imagesDir, 'QEMU', 'vmlinuz');
const initrd = join(imagesDir, 'QEMU', 'initramfs.cpio');
copyFileSync(kernelPath(), kernel);
writeFileSync(initrd, buildInitramfs());
const cmdline = (ip: string) => `console=ttyS0 panic=-1 pbip=${ip}`;

/** CPU seconds (user + system) a process has used, from /proc/<pid>/stat. */
function cpuSeconds(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) / 100;
}

/** CPU use of each pid over a window, in percent of one core. */
async function cpuPercent(pids: number[], seconds: number): Promise<number[]> {
  const before = pids.map(cpuSeconds);
  const t0 = performance.now();
  await new Promise((resolve) => setTimeout(resolve, seconds * 1000));
  const elapsed = (performance.now() - t0) / 1000;
  return pids.map((pid, i) => (100 * (cpuSeconds(pid) - before[i]!)) / elapsed);
}

/** Time from launching QEMU ourselves (serial on stdio) to its first output and to the init shell. */
async function directBoot(): Promise<{ firstByte: number; ready: number }> {
  const t0 = performance.now();
  const child = spawn('qemu-system-x86_64', [
    '-m', `${RAM}M`, '-machine', 'accel=tcg', '-display', 'none', '-serial', 'stdio', '-net', 'none',
    '-kernel', kernel, '-initrd', initrd, '-append', cmdline('10.9.9.9/24'),
  ], { stdio: ['ignore', 'pipe', 'ignore'] });
  let firstByte = NaN;
  let text = '';
  const ready = await new Promise<number>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('direct QEMU boot timed out')), 120_000);
    child.stdout!.on('data', (chunk: Buffer) => {
      if (Number.isNaN(firstByte)) firstByte = performance.now() - t0;
      text += chunk.toString('latin1');
      if (READY.test(text)) {
        clearTimeout(timer);
        resolve(performance.now() - t0);
      }
    });
  });
  child.kill('SIGKILL');
  await new Promise((resolve) => child.once('exit', resolve));
  return { firstByte, ready };
}

type Api = DaemonProcess['json'];

async function createVm(json: Api, base: string, name: string, ip: string): Promise<{ node_id: string }> {
  return json(`${base}/qemu/nodes`, {
    ...post({ name, platform: 'x86_64', ram: RAM, kernel_image: 'vmlinuz', initrd: 'initramfs.cpio', kernel_command_line: cmdline(ip), options: '-no-kvm' }),
    expect: 201,
  });
}

/** Start request → answer → first guest byte on the console → init shell, through the agent. */
async function agentBoot(json: Api, base: string, i: number) {
  const vm = await createVm(json, base, `boot${i}`, '10.9.9.9/24');
  const t0 = performance.now();
  const started = await json(`${base}/qemu/nodes/${vm.node_id}/start`, { ...post(), expect: 200 });
  const answered = performance.now() - t0;
  const console = await TelnetClient.connect(started.console);
  let firstByte = NaN;
  while (Number.isNaN(firstByte) && performance.now() - t0 < 120_000) {
    if (console.text.length > GREETING_BYTES) firstByte = performance.now() - t0;
    else await new Promise((resolve) => setTimeout(resolve, 5));
  }
  await console.waitFor(READY, 120_000);
  const ready = performance.now() - t0;
  console.close();
  await json(`${base}/qemu/nodes/${vm.node_id}`, { method: 'DELETE', expect: 204 });
  return { answered, firstByte, ready };
}

const daemon = await startDaemon({ args: ['--images-dir', imagesDir, '--console-ports', '12000-12999', '--udp-ports', '13000-15999'] });
const json = daemon.json;
const agentPid = daemon.child.pid!;
try {
  const projectId = randomUUID();
  const base = `/v2/compute/projects/${projectId}`;
  await json('/v2/compute/projects', { ...post({ name: 'bench', project_id: projectId }), expect: 201 });

  // 1. Boot latency, one VM at a time.
  const agent = [];
  const direct = [];
  for (let i = 0; i < RUNS; i++) {
    direct.push(await directBoot());
    agent.push(await agentBoot(json, base, i));
  }
  const p50 = (xs: number[]) => percentile(xs, 50);
  const boot = {
    agent_start_answer_ms: p50(agent.map((r) => r.answered)),
    agent_first_console_byte_ms: p50(agent.map((r) => r.firstByte)),
    agent_init_ready_ms: p50(agent.map((r) => r.ready)),
    direct_first_byte_ms: p50(direct.map((r) => r.firstByte)),
    direct_init_ready_ms: p50(direct.map((r) => r.ready)),
  };

  // 2. Overhead per running VM: baseline agent, then N linked idle VMs with a console client each.
  const [agentIdleCpu] = await cpuPercent([agentPid], WINDOW_S);
  const agentIdleRss = rssMiB(agentPid);
  const vms = [];
  for (let i = 0; i < VMS; i++) vms.push(await createVm(json, base, `vm${i}`, `10.0.${i >> 1}.${(i & 1) + 1}/24`));
  for (let i = 0; i + 1 < VMS; i += 2) {
    const [a, b] = [await json(`${base}/ports/udp`, { ...post({}), expect: 201 }), await json(`${base}/ports/udp`, { ...post({}), expect: 201 })];
    await json(`${base}/qemu/nodes/${vms[i]!.node_id}/adapters/0/ports/0/nio`, { ...post({ type: 'nio_udp', lport: a.udp_port, rhost: '127.0.0.1', rport: b.udp_port }), expect: 201 });
    await json(`${base}/qemu/nodes/${vms[i + 1]!.node_id}/adapters/0/ports/0/nio`, { ...post({ type: 'nio_udp', lport: b.udp_port, rhost: '127.0.0.1', rport: a.udp_port }), expect: 201 });
  }
  const started = [];
  for (const vm of vms) started.push(await json(`${base}/qemu/nodes/${vm.node_id}/start`, { ...post(), expect: 200 }));
  const consoles = await Promise.all(started.map((vm) => TelnetClient.connect(vm.console)));
  await Promise.all(consoles.map((c) => c.waitFor(READY, 180_000)));
  const qemuPids: number[] = [];
  for (const vm of vms) qemuPids.push((await json(`${base}/qemu/nodes/${vm.node_id}`)).process_stats.pid);
  const cpu = await cpuPercent([agentPid, ...qemuPids], WINDOW_S);
  const agentRss = rssMiB(agentPid);
  const qemuRss = qemuPids.map(rssMiB);
  consoles.forEach((c) => c.close());
  await json(`${base}/close`, { ...post(), expect: 204 });

  const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
  const overhead = {
    vms: VMS,
    window_s: WINDOW_S,
    agent_idle_cpu_percent: agentIdleCpu!,
    agent_cpu_percent_with_vms: cpu[0]!,
    agent_cpu_percent_per_vm: (cpu[0]! - agentIdleCpu!) / VMS,
    qemu_cpu_percent_per_vm: mean(cpu.slice(1)),
    agent_idle_rss_mib: agentIdleRss,
    agent_rss_mib_with_vms: agentRss,
    agent_rss_mib_per_vm: (agentRss - agentIdleRss) / VMS,
    qemu_rss_mib_per_vm: mean(qemuRss),
  };

  console.log(`QEMU ${RAM} MiB guests on TCG, host kernel + busybox initramfs; ${RUNS} boot runs (p50), ${VMS} VMs for overhead\n`);
  console.log(table(['boot phase', 'through agent ms', 'direct qemu ms'], [
    ['start request answered', boot.agent_start_answer_ms, '-'],
    ['first guest byte on console', boot.agent_first_console_byte_ms, boot.direct_first_byte_ms],
    ['init shell ready', boot.agent_init_ready_ms, boot.direct_init_ready_ms],
  ]));
  console.log('');
  console.log(table(['per running VM (idle guest, linked, console attached)', 'agent', 'qemu process'], [
    ['CPU % of one core', overhead.agent_cpu_percent_per_vm, overhead.qemu_cpu_percent_per_vm],
    ['RSS MiB', overhead.agent_rss_mib_per_vm, overhead.qemu_rss_mib_per_vm],
  ]));
  console.log(`\nagent: ${overhead.agent_idle_cpu_percent.toFixed(2)}% CPU / ${agentIdleRss.toFixed(1)} MiB with no VM, `
    + `${overhead.agent_cpu_percent_with_vms.toFixed(2)}% / ${agentRss.toFixed(1)} MiB with ${VMS} running`);
  console.log(JSON.stringify({ bench: 'qemu', ...boot, ...overhead }));
} finally {
  await daemon.stop();
  rmSync(imagesDir, { recursive: true, force: true });
}
