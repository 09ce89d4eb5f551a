/** Nodes on two agents: registration, a cross-agent link that pings, and an agent killed and restarted. */
import t from 'tap';
import { execFileSync } from 'node:child_process';
import { startDaemon, post, portRanges, type DaemonProcess, withDaemon } from '../helpers/daemon.ts';
import { addVpcs, createProject, eventually, link, pingAcross } from './helpers.ts';

/** A second agent with its own port ranges, registering with the controller under a fixed id. */
function startAgent(controllerUrl: string, port = '0'): Promise<DaemonProcess> {
  const ranges = portRanges(1, 2);
  return startDaemon({
    mode: 'agent',
    args: [
      '--port', port, '--console-ports', ranges.console, '--udp-ports', ranges.udp,
      '--controller', controllerUrl, '--compute-id', 'agent1', '--name', 'Agent 1',
    ],
  });
}

t.setTimeout(180_000);

/** Every process below `pid`: a SIGKILLed agent leaves its emulators behind, and the test must clean them up. */
function descendants(pid: number): number[] {
  let children: number[] = [];
  try {
    children = execFileSync('ps', ['-o', 'pid=', '--ppid', String(pid)], { encoding: 'utf8' }).split('\n').filter((x) => x.trim()).map(Number);
  } catch {
    // no children
  }
  return children.flatMap((child) => [child, ...descendants(child)]);
}

t.test('nodes on two agents, agent killed and restarted', async (t) => {
  const own = portRanges(0, 2);
  const controller = await withDaemon(t, { mode: 'controller', args: ['--console-ports', own.console, '--udp-ports', own.udp] });
  let agent = await startAgent(controller.url);
  t.teardown(() => agent.stop());

  const remote = await eventually(async () => {
    const c = await controller.json('/v2/computes/agent1', { expect: 200 });
    return c.connected ? c : undefined;
  }, 'agent1 connected');
  t.equal(remote.name, 'Agent 1');
  t.equal(remote.capabilities.version, '2.2.59');

  const projectId = await createProject(controller, 'fed');
  const pc1 = await addVpcs(controller, projectId, 'local');
  const pc2 = await addVpcs(controller, projectId, 'agent1', 100);
  t.equal(pc2.compute_id, 'agent1');
  await link(controller, projectId, pc1.node_id, pc2.node_id);
  await controller.json(`/v2/projects/${projectId}/nodes/start`, { ...post(), expect: 204 });
  const nodes = await controller.json(`/v2/projects/${projectId}/nodes`, { expect: 200 });
  const output = await pingAcross(nodes.map((n: any) => ({ host: n.console_host, port: n.console })));
  t.match(output, /10\.0\.0\.2 icmp_seq=3 ttl=/, 'ping crosses agents');

  const saved = JSON.parse(await (await import('node:fs/promises')).readFile(`${controller.projectsDir}/${projectId}/fed.gns3`, 'utf8'));
  t.same(saved.topology.computes.map((c: any) => c.compute_id), ['agent1'], 'remote compute stored in the topology');

  const agentPort = new URL(agent.url).port;
  const orphans = descendants(agent.child.pid!);
  t.teardown(() => orphans.forEach((pid) => { try { process.kill(pid, 'SIGKILL'); } catch { /* gone */ } }));
  agent.child.kill('SIGKILL');
  await eventually(async () => ((await controller.json('/v2/computes/agent1')).connected === false ? true : undefined), 'agent1 disconnected');
  const after = await eventually(async () => {
    const n = await controller.json(`/v2/projects/${projectId}/nodes/${pc2.node_id}`);
    return n.status === 'stopped' ? n : undefined;
  }, 'remote node stopped');
  t.equal(after.status, 'stopped', 'nodes of a dead agent are stopped');
  t.equal((await controller.json(`/v2/projects/${projectId}/nodes/${pc1.node_id}`)).status, 'started', 'local node unaffected');
  t.equal((await controller.api('/v2/projects')).status, 200, 'controller keeps serving');

  await agent.stop();
  agent = await startAgent(controller.url, agentPort);
  await eventually(async () => ((await controller.json('/v2/computes/agent1')).connected ? true : undefined), 'agent1 reconnected');
  // The restarted agent lost its state: the controller re-creates the node there, and it starts again.
  await eventually(async () => {
    const r = await controller.api(`/v2/projects/${projectId}/nodes/${pc2.node_id}/start`, post());
    return r.status === 200 ? true : undefined;
  }, 'remote node usable after resync');
  const again = await controller.json(`/v2/projects/${projectId}/nodes`, { expect: 200 });
  t.same(again.map((n: any) => n.status), ['started', 'started']);
});
