/**
 * Fault injection against real daemons: an emulator SIGKILLed under the agent, the console port pool exhausted, and
 * the disk filling up while the controller saves a project. Each must fail clearly or recover, and lose nothing.
 */
import t from 'tap';
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import WebSocket from 'ws';
import { portRanges, post, put, VPCS_083 } from '../helpers/daemon.ts';
import { processAlive } from '../helpers/ports.ts';
import { deleteEverything, emulatorPids, removeRoot, reservedPorts, startIsolated } from './harness.ts';
import { eventually } from '../helpers/eventually.ts';

t.setTimeout(120_000);

t.test('emulator SIGKILLed: node stopped with log.error, ports still tracked, node restartable', async (t) => {
  const daemon = await startIsolated({ args: ['--vpcs-path', VPCS_083] });
  t.teardown(async () => {
    await daemon.stop();
    removeRoot(daemon.root);
  });
  const events: Array<{ action: string; event: any }> = [];
  const ws = new WebSocket(`${daemon.url.replace('http', 'ws')}/v2/compute/notifications/ws`);
  await new Promise((resolve) => ws.once('open', resolve));
  ws.on('message', (data) => events.push(JSON.parse(String(data))));
  t.teardown(() => ws.close());

  const project = (await daemon.json('/v2/compute/projects', { ...post({ name: 'kill' }), expect: 201 })).project_id;
  const base = `/v2/compute/projects/${project}/vpcs/nodes`;
  const node = await daemon.json(base, { ...post({ name: 'PC1' }), expect: 201 });
  const udp = (await daemon.json(`/v2/compute/projects/${project}/ports/udp`, { ...post({}), expect: 201 })).udp_port;
  await daemon.json(`${base}/${node.node_id}/adapters/0/ports/0/nio`, { ...post({ type: 'nio_udp', lport: udp, rhost: '127.0.0.1', rport: 9 }), expect: 201 });
  await daemon.json(`${base}/${node.node_id}/start`, { ...post(), expect: 200 });
  const [pid] = emulatorPids(daemon.child.pid!);
  t.ok(pid, 'VPCS runs under the agent');
  const portsRunning = await reservedPorts(daemon);

  process.kill(pid!, 'SIGKILL');
  const stopped = await eventually(async () => {
    const n = await daemon.json(`${base}/${node.node_id}`, { expect: 200 });
    return n.status === 'stopped' ? n : undefined;
  }, 'node reported stopped');
  t.equal(stopped.status, 'stopped');
  await eventually(() => (events.some((e) => e.action === 'node.updated' && e.event.node_id === node.node_id && e.event.status === 'stopped') ? true : undefined), 'node.updated stopped');
  const error = await eventually(() => events.find((e) => e.action === 'log.error'), 'log.error');
  t.match(error.event.message, /PC1|VPCS|died|exit|signal/i, `log.error names what happened: ${error.event.message}`);
  const portsStopped = await reservedPorts(daemon);
  t.same(portsStopped.console_ports, portsRunning.console_ports, 'the node keeps its console port');
  t.ok(portsStopped.udp_ports.includes(udp), 'the NIO keeps its UDP port');
  t.notOk(processAlive(pid!), 'the killed VPCS is gone');

  const again = await daemon.json(`${base}/${node.node_id}/start`, { ...post(), expect: 200 });
  t.equal(again.status, 'started', 'the node starts again');
  const pids = emulatorPids(daemon.child.pid!);
  t.ok(pids.length > 0 && !pids.includes(pid!), 'a new VPCS runs');
  await daemon.json(`/v2/compute/projects/${project}`, { method: 'DELETE', expect: 204 });
  t.same(await reservedPorts(daemon), { console_ports: [], udp_ports: [] }, 'every port released on delete');
  t.same(emulatorPids(daemon.child.pid!), [], 'no VPCS left');
});

t.test('console port pool exhausted: clear 409, then usable again', async (t) => {
  // Three console ports: VPCS takes a public console port, so the fourth node finds none.
  const low = Number(portRanges().console.split('-')[0]);
  const daemon = await startIsolated({ args: ['--vpcs-path', VPCS_083, '--console-ports', `${low}-${low + 2}`] });
  t.teardown(async () => {
    await daemon.stop();
    removeRoot(daemon.root);
  });
  const project = (await daemon.json('/v2/compute/projects', { ...post({ name: 'pool' }), expect: 201 })).project_id;
  const base = `/v2/compute/projects/${project}/vpcs/nodes`;
  const created: string[] = [];
  let refused: Response | undefined;
  for (let i = 0; i < 10 && !refused; i++) {
    const response = await daemon.api(base, post({ name: `PC${i}` }));
    if (response.status === 201) created.push((await response.json()).node_id);
    else refused = response;
  }
  t.ok(refused, `a create is refused once the ${created.length} ports are taken`);
  t.equal(refused!.status, 409, 'refused with 409');
  const body = await refused!.json();
  t.match(body, { status: 409, message: /port/i }, `the message says why: ${body.message}`);
  t.equal((await daemon.api('/v2/compute/version')).status, 200, 'the agent keeps serving');

  await daemon.json(`${base}/${created[0]}`, { method: 'DELETE', expect: 204 });
  const retry = await daemon.api(base, post({ name: 'again' }));
  t.equal(retry.status, 201, 'a freed port is handed out again');
  await daemon.json(`/v2/compute/projects/${project}`, { method: 'DELETE', expect: 204 });
  t.same(await reservedPorts(daemon), { console_ports: [], udp_ports: [] });
});

/** A tiny tmpfs when this machine lets us mount one (CI runs as root), else null. */
function tinyDisk(): { dir: string; release: () => void } | null {
  const dir = mkdtempSync(join(tmpdir(), 'patchbay-disk-'));
  try {
    execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=2m', 'tmpfs', dir], { stdio: 'ignore' });
  } catch {
    rmSync(dir, { recursive: true, force: true });
    return null;
  }
  return {
    dir,
    release: () => {
      try {
        execFileSync('umount', ['-l', dir], { stdio: 'ignore' });
      } catch {
        // already gone
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

t.test('disk full while the controller saves: clear error, previous .gns3 intact, recovers', async (t) => {
  const disk = tinyDisk();
  if (!disk) {
    t.pass('skipped: cannot mount a tmpfs here (needs root)');
    return;
  }
  t.teardown(disk.release);
  mkdirSync(join(disk.dir, 'projects'));
  const daemon = await startIsolated({ mode: 'controller', root: disk.dir, args: ['--vpcs-path', VPCS_083] });
  t.teardown(() => daemon.stop());
  const project = await daemon.json('/v2/projects', { ...post({ name: 'full' }), expect: 201 });
  const file = join(project.path, project.filename);
  await daemon.json(`/v2/projects/${project.project_id}/drawings`, { ...post({ svg: '<svg>before</svg>' }), expect: 201 });
  const before = readFileSync(file, 'utf8');
  t.match(JSON.parse(before).topology.drawings, [{ svg: '<svg>before</svg>' }], 'saved before the disk fills');

  // Fill the disk to the last byte.
  const filler = join(disk.dir, 'filler');
  try {
    writeFileSync(filler, Buffer.alloc(4 * 1024 * 1024));
  } catch {
    // ENOSPC is the point
  }
  const big = `<svg>${'x'.repeat(200_000)}</svg>`;
  const failed = await daemon.api(`/v2/projects/${project.project_id}/drawings`, post({ svg: big }));
  const text = await failed.text();
  t.ok(failed.status >= 400 && failed.status < 500, `a change that cannot be saved fails with a 4xx (${failed.status} ${text.slice(0, 200)})`);
  t.match(text, /space|ENOSPC|disk|write|save/i, 'and says why');
  t.equal(readFileSync(file, 'utf8'), before, 'the previous .gns3 is untouched');
  t.ok(JSON.parse(readFileSync(file, 'utf8')), 'and still parses');

  rmSync(filler, { force: true });

  await daemon.json(`/v2/projects/${project.project_id}/close`, { ...post(), expect: 204 });
  const reopened = await daemon.json(`/v2/projects/${project.project_id}/open`, { ...post(), expect: 201 });
  t.equal(reopened.status, 'opened', 'the project opens again from the saved file');
  const drawings = await daemon.json(`/v2/projects/${project.project_id}/drawings`, { expect: 200 });
  t.ok(drawings.some((d: any) => d.svg === '<svg>before</svg>'), 'the saved drawing is there');
  await daemon.json(`/v2/projects/${project.project_id}`, { ...put({ name: 'full-2' }), expect: 200 });
  t.pass('saving works again once space is back');
  await deleteEverything(daemon, true);
});
