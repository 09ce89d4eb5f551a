/** A controller restarted while its agents keep running: computes reconnect, projects reopen, remote nodes work again. */
import t from 'tap';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { portRanges, post, startDaemon, type DaemonProcess, withDaemon } from '../helpers/daemon.ts';
import { addVpcs, createProject, eventually } from '../controller/helpers.ts';

t.setTimeout(180_000);

t.test('controller restart with an agent running', async (t) => {
  const root = mkdtempSync(join(tmpdir(), 'patchbay-ctl-restart-'));
  t.teardown(() => rmSync(root, { recursive: true, force: true }));
  const own = portRanges(0, 2);
  const theirs = portRanges(1, 2);
  // The controller must come back on the URL the agent registered with: its port is the last of this process's own
  // console range (a port the kernel hands out for port 0 could go to another test's connection between the runs).
  const [first, last] = own.console.split('-').map(Number) as [number, number];
  const startController = () => startDaemon({
    mode: 'controller', root, args: ['--port', String(last), '--console-ports', `${first}-${last - 1}`, '--udp-ports', own.udp],
  });
  let controller: DaemonProcess = await startController();
  t.teardown(() => controller.stop());
  const agent = await withDaemon(t, {
    mode: 'agent',
    args: ['--console-ports', theirs.console, '--udp-ports', theirs.udp, '--controller', controller.url, '--compute-id', 'agent1'],
  });
  const connected = (d: DaemonProcess) => eventually(async () => ((await d.json('/v2/computes/agent1')).connected ? true : undefined), 'agent1 connected');
  await connected(controller);

  const projectId = await createProject(controller, 'restart');
  const pc = await addVpcs(controller, projectId, 'agent1');
  await controller.json(`/v2/projects/${projectId}/nodes/${pc.node_id}/start`, { ...post(), expect: 200 });

  t.equal(await controller.stop(), 0, 'controller stops cleanly');
  controller = await startController();
  await connected(controller);
  t.pass('the agent is connected again after the controller restarted');

  await controller.json(`/v2/projects/${projectId}/open`, { ...post(), expect: 201 });
  const reopened = await controller.json(`/v2/projects/${projectId}/nodes/${pc.node_id}`, { expect: 200 });
  t.equal(reopened.compute_id, 'agent1', 'the node is still on the agent');
  const started = await controller.json(`/v2/projects/${projectId}/nodes/${pc.node_id}/start`, { ...post(), expect: 200 });
  t.equal(started.status, 'started', 'and it starts again');
  await controller.json(`/v2/projects/${projectId}/nodes/${pc.node_id}/stop`, { ...post(), expect: 200 });
  const ports = await agent.json('/v2/compute/network/ports', { expect: 200 });
  t.ok(Array.isArray(ports.console_ports), 'the agent kept serving throughout');
});
