/**
 * VNC consoles of Docker nodes, against the real dockerd, Xvfb and x11vnc: the console port speaks RFB, the container
 * sees DISPLAY and the display's socket, a window drawn through that socket shows in the VNC framebuffer, and no X or
 * VNC server outlives a stop, a project close, or (through the reaper) a SIGKILLed agent.
 *
 * The X client here is the test's own, connecting through the container's root (/proc/<pid>/root): the busybox test
 * image has no X client and busybox's nc cannot open a unix socket, so nothing inside the container can draw.
 */
import t from 'tap';
import { existsSync, mkdtempSync, rmSync, statSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import WebSocket from 'ws';
import { withDaemon, post, put, type DaemonProcess } from '../helpers/daemon.ts';
import { processAlive } from '../helpers/ports.ts';
import { PortPool } from '../../src/compute/port-pool.ts';
import { containerBody, containerEnv, xSocket } from '../../src/compute/docker/settings.ts';
import { x11vncArgs, xvfbArgs } from '../../src/compute/docker/vnc.ts';
import { readState } from '../../src/compute/state-file.ts';
import { IMAGE, QUICK_STOP, docker, dockerProject, execIn, inspect, until } from './helpers.ts';
import { drawWhiteWindow, rfbBanner, rfbPixels } from './display-clients.ts';

t.test('pure parts: VNC ports from 5900 up, X and VNC arguments, container settings', async (t) => {
  const pool = new PortPool([5000, 5999], async () => true);
  t.equal(await pool.allocate('a'), 5000, 'a telnet console takes the first port');
  t.equal(await pool.allocate('a', 5900), 5900, 'a VNC console starts at 5900');
  t.equal(await pool.reserve(5100, 'a', 5900), 5901, 'a wanted port below the floor is replaced');
  const tiny = new PortPool([5000, 5010], async () => true);
  await t.rejects(tiny.allocate('a', 5900), /Could not find a free port between 5900 and 5010/);

  t.same(xvfbArgs(101, '800x600'), [':101', '-nolisten', 'tcp', '-screen', '0', '800x600x16']);
  t.match(x11vncArgs(101, '127.0.0.1', 5901, '/n/vnc.log'), ['-display', ':101', '-rfbport', '5901', '-noipv6', '-listen', '127.0.0.1']);
  t.match(x11vncArgs(101, '::1', 5901, '/n/vnc.log').slice(4, 8), ['-6', '-noipv4', '-listen6', '::1']);

  const ctx = { nodeName: 'D', nodeId: 'id', projectId: 'p', projectPath: '/p', variables: null };
  const env = containerEnv(ctx, { adapters: 1, environment: 'A=1', extraHosts: 'h:1.2.3.4', imageUser: '', display: 103 });
  t.same(env.slice(-4), ['A=1', 'QT_GRAPHICSSYSTEM=native', 'DISPLAY=:103', 'GNS3_EXTRA_HOSTS=1.2.3.4\th'], "GNS3's order");
  const spec = {
    name: 'D', image: 'i', startCommand: null, env, privileged: false, resourcesDir: '/r', busybox: '/r/bin/busybox',
    nodeDir: '/n', volumes: [], labels: {},
  };
  t.same((containerBody({ ...spec, display: 103 }, { entrypoint: [], cmd: [], user: '', volumes: [] }) as any).HostConfig.Binds, [
    '/tmp/.X11-unix/X103:/tmp/.X11-unix/X103:ro',
  ]);
  t.notOk('Binds' in (containerBody(spec, { entrypoint: [], cmd: [], user: '', volumes: [] }) as any).HostConfig);
});

/** Pids of a node's Xvfb and x11vnc, as the agent recorded them in its state file. */
async function vncProcesses(stateDir: string, nodeId: string): Promise<{ xvfb: number; x11vnc: number }> {
  const mine = (await readState(stateDir)).processes.filter((p) => p.node_id === nodeId);
  const pid = (name: string) => mine.find((p) => p.argv[0]!.endsWith(`/${name}`))?.pid as number;
  return { xvfb: pid('Xvfb'), x11vnc: pid('x11vnc') };
}

async function startedVncNode(daemon: DaemonProcess, base: string, name: string) {
  const node = await daemon.json(base, {
    ...post({ name, image: IMAGE, console_type: 'vnc', console_resolution: '640x480', start_command: QUICK_STOP }), expect: 201,
  });
  await daemon.json(`${base}/${node.node_id}/start`, { ...post(), expect: 204 });
  return node;
}

t.test('vnc console of a Docker node', async (t) => {
  const daemon = await withDaemon(t);
  const { projectId, base, stateDir } = await dockerProject(t, daemon, 'vnc');

  const low = await daemon.api(base, post({ name: 'low', image: IMAGE, console_type: 'vnc', console: 5000 }));
  t.equal(low.status, 409);
  t.match((await low.json()).message, /superior or equal to 5900, current port is 5000/);

  const node = await startedVncNode(daemon, base, 'V1');
  t.equal(node.console_type, 'vnc');
  t.ok(node.console >= 5900, 'console port usable as a VNC display');
  t.match(await rfbBanner('127.0.0.1', node.console), /^RFB 003\.00\d$/, 'the console port speaks RFB');

  const env = inspect(node.container_id).Config.Env as string[];
  const display = Number(env.find((e) => e.startsWith('DISPLAY='))!.slice('DISPLAY=:'.length));
  t.ok(display >= 100, `display :${display}`);
  t.match(execIn(node.container_id, 'env'), new RegExp(`^DISPLAY=:${display}$`, 'm'), 'the container has DISPLAY');
  t.equal(execIn(node.container_id, 'ls', '/tmp/.X11-unix'), `X${display}`, 'and only its own display socket');
  t.equal(
    Number(execIn(node.container_id, 'stat', '-c', '%i', xSocket(display))),
    statSync(xSocket(display)).ino,
    'the socket in the container is the host X server socket',
  );

  // Draw through the container's view of the socket; the window must show in the framebuffer VNC viewers get.
  const pid = inspect(node.container_id).State.Pid;
  const before = await rfbPixels('127.0.0.1', node.console, 32, 32);
  t.notOk(before.every((p) => p === 0xffffff), 'the area is not white before drawing');
  const xClient = await drawWhiteWindow(`/proc/${pid}/root${xSocket(display)}`, 64, 64);
  t.teardown(() => xClient.destroy());
  await until(async () => (await rfbPixels('127.0.0.1', node.console, 32, 32)).every((p) => p === 0xffffff), 'the window in the VNC framebuffer');
  t.pass('a window drawn through the container socket shows on the VNC console');
  xClient.destroy();

  const first = await vncProcesses(stateDir, node.node_id);
  t.ok(first.xvfb && first.x11vnc, 'Xvfb and x11vnc are recorded in the state file');
  await daemon.json(`${base}/${node.node_id}/stop`, { ...post(), expect: 204 });
  t.notOk(processAlive(first.xvfb) || processAlive(first.x11vnc), 'stop ends Xvfb and x11vnc');
  t.notOk(existsSync(xSocket(display)), 'the display socket is gone');

  await daemon.json(`${base}/${node.node_id}/start`, { ...post(), expect: 204 });
  t.match(await rfbBanner('127.0.0.1', node.console), /^RFB/, 'a restart serves the console again');
  const second = await vncProcesses(stateDir, node.node_id);
  t.ok(processAlive(second.xvfb) && processAlive(second.x11vnc));

  // x11vnc dying on its own: GNS3's log.error, the X server goes with it, the container keeps running.
  const errors: string[] = [];
  const notifications = new WebSocket(`${daemon.url.replace('http', 'ws')}/v2/compute/notifications/ws`);
  notifications.on('message', (data) => {
    const { action, event } = JSON.parse(String(data));
    if (action === 'log.error') errors.push(event.message);
  });
  await new Promise((resolve) => notifications.once('open', resolve));
  t.teardown(() => notifications.close());
  process.kill(second.x11vnc, 'SIGKILL');
  const error = await until(() => errors.find((m) => m.includes('The vnc process has stopped')), 'the log.error');
  t.match(error, /return code SIGKILL for node 'V1'\. Please restart this node\./);
  await until(() => !processAlive(second.xvfb), 'Xvfb ending with its VNC server');
  t.equal(inspect(node.container_id).State.Running, true, 'the container keeps running');
  await daemon.json(`${base}/${node.node_id}/reload`, { ...post(), expect: 204 });
  t.match(await rfbBanner('127.0.0.1', node.console), /^RFB/, 'a reload brings the console back');
  const reloaded = await vncProcesses(stateDir, node.node_id);

  // The console type can change both ways; the container is re-created with or without the display.
  const telnet = await daemon.json(`${base}/${node.node_id}`, { ...put({ console_type: 'telnet' }), expect: 200 });
  t.notOk(processAlive(reloaded.xvfb) || processAlive(reloaded.x11vnc), 'leaving vnc ends them');
  t.notOk((inspect(telnet.container_id).Config.Env as string[]).some((e) => e.startsWith('DISPLAY=')));
  const back = await daemon.json(`${base}/${node.node_id}`, { ...put({ console_type: 'vnc' }), expect: 200 });
  t.ok(back.console >= 5900);
  t.match(await rfbBanner('127.0.0.1', back.console), /^RFB/);

  const third = await vncProcesses(stateDir, node.node_id);
  await daemon.json(`/v2/compute/projects/${projectId}/close`, { ...post(), expect: 204 });
  t.notOk(processAlive(third.xvfb) || processAlive(third.x11vnc), 'project close ends them');
  t.equal(inspect(back.container_id), null);
});

t.test('missing Xvfb or x11vnc: 409 naming it, nothing created', async (t) => {
  // A PATH with the programs a node creation needs, and Xvfb but no x11vnc.
  const bin = mkdtempSync(join(tmpdir(), 'pbdk-path-'));
  t.teardown(() => rmSync(bin, { recursive: true, force: true }));
  for (const program of ['tar', 'ip', 'Xvfb']) symlinkSync(`/usr/bin/${program}`, join(bin, program));
  const daemon = await withDaemon(t, { env: { PATH: bin } });
  const { projectId, base } = await dockerProject(t, daemon, 'novnc');
  const response = await daemon.api(base, post({ name: 'N', image: IMAGE, console_type: 'vnc' }));
  t.equal(response.status, 409);
  t.match(await response.json(), { message: /Please install x11vnc on this host/, exception: 'DockerError' });
  t.equal(docker('ps', '-aq', '--filter', `label=net.patchbay.project_id=${projectId}`), '', 'no container created');
});

t.test('after a SIGKILLed agent, the reaper ends its Xvfb and x11vnc', async (t) => {
  const root = mkdtempSync(join(tmpdir(), 'pbdk-vnc-reap-'));
  t.teardown(() => rmSync(root, { recursive: true, force: true }));
  const first = await withDaemon(t, { root }); // SIGKILLed below; the teardown still stops it if the test fails first
  const { base, stateDir } = await dockerProject(t, first, 'reap');
  const node = await startedVncNode(first, base, 'R1');
  const { xvfb, x11vnc } = await vncProcesses(stateDir, node.node_id);
  const display = Number(inspect(node.container_id).Config.Labels['net.patchbay.display']);
  t.ok(existsSync(xSocket(display)), `display :${display} is up`);
  first.child.kill('SIGKILL');
  await first.stop();
  t.ok(processAlive(xvfb) && processAlive(x11vnc), 'they outlived their agent');

  await withDaemon(t, { root });
  t.notOk(processAlive(xvfb) || processAlive(x11vnc), 'the next agent on that state directory ended them');
  t.equal(inspect(node.container_id), null, 'and removed the container');
  t.notOk(existsSync(xSocket(display)) || existsSync(`/tmp/.X${display}-lock`), "and the killed X server's socket and lock file");
});
