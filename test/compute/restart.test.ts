/** Restart safety: an agent killed with SIGKILL leaves emulators behind; the next agent on the same state dir reaps them. */
import t from 'tap';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomUUID } from 'node:crypto';
import { linkExists } from '../../src/hostnet/links.ts';
import { claimSlot, natNetwork, post, startDaemon, VPCS_083, withDaemon, withProject } from '../helpers/daemon.ts';
import { pidsMatching, runSeedSession } from '../helpers/seed.ts';
import { nftTableExists } from '../helpers/host.ts';
import { processAlive, tcpFree, udpFree } from '../helpers/ports.ts';
import { readState, type AgentState } from '../../src/compute/state-file.ts';

const binaries = [
  { label: 'VPCS 0.8.3 (forks a setsid child)', path: VPCS_083 },
  { label: "Debian's VPCS 0.5b2 (on the agent's pseudo-terminal)", path: 'vpcs' },
];


/**
 * Polls until the state file, read as the reaper reads it (snapshot and journal), lists `count` emulators; a read
 * racing the agent's compaction of its journal may see fewer.
 */
async function stateWith(dir: string, count: number): Promise<AgentState> {
  for (let i = 0; i < 200; i++) {
    const state = await readState(dir);
    if (state.processes.length >= count) return state;
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
  throw new Error(`state directory ${dir} never listed ${count} processes`);
}

for (const binary of binaries) {
  t.test(`SIGKILLed agent with running ${binary.label}: the next agent reaps them and every port is free`, async (t) => {
    const projectsDir = mkdtempSync(join(tmpdir(), 'patchbay-restart-'));
    t.teardown(() => rmSync(projectsDir, { recursive: true, force: true }));
    const args = ['--vpcs-path', binary.path, '--projects-dir', projectsDir];
    const first = await withDaemon(t, { args }); // SIGKILLed below; the teardown still removes its folder
    const seed = await runSeedSession(first);
    const state = await stateWith(join(projectsDir, '.patchbay'), 2);
    t.equal(state.agent?.pid, first.child.pid, 'the state file names the agent');
    t.ok(state.processes.every((p) => p.start_time !== null && p.ports.length >= 2), 'each emulator is recorded with its start time and ports');

    // Every process running one of this session's emulators, setsid'd children included.
    const tunnels = state.processes.map((p) => p.argv[p.argv.indexOf('-s') + 1]);
    const emulators = tunnels.flatMap((port) => pidsMatching(`-s ${port} `));
    t.ok(emulators.length >= 2, `emulator processes found: ${emulators.join(', ')}`);

    first.child.kill('SIGKILL');
    await new Promise((resolve) => first.child.once('exit', resolve));
    t.ok(emulators.every(processAlive), 'the emulators outlive a SIGKILLed agent (what the reaper is for)');

    const second = await withDaemon(t, { args });
    t.same(emulators.filter(processAlive), [], 'no emulator of the killed agent is left');
    t.match(second.output(), /reaped emulators left by a previous agent/, 'the reaping is logged');

    const recordedPorts = state.processes.flatMap((p) => p.ports);
    for (const node of seed.nodes) t.ok(await tcpFree(node.console), `console port ${node.console} is free`);
    for (const port of recordedPorts) {
      t.ok((await udpFree(port)) || (await tcpFree(port)), `emulator port ${port} is free`);
    }
    for (const port of seed.udpPorts) t.ok(await udpFree(port), `link UDP port ${port} is free`);

    // The port pools start from the same range: a second session reuses the same ports without a clash.
    const again = await runSeedSession(second);
    t.match(again.pingOutput, /icmp_seq=3 ttl=64/, 'a new session on the restarted agent works');
    t.same(again.nodes.map((n) => n.console), seed.nodes.map((n) => n.console), 'and gets the same console ports back');
  });
}

t.test('an agent refuses a state directory owned by a live agent', async (t) => {
  const projectsDir = mkdtempSync(join(tmpdir(), 'patchbay-restart-'));
  t.teardown(() => rmSync(projectsDir, { recursive: true, force: true }));
  await withDaemon(t, { args: ['--projects-dir', projectsDir] });
  await t.rejects(startDaemon({ args: ['--projects-dir', projectsDir] }), /Another patchbay agent \(pid \d+\) is using the state directory/);
});

t.test('SIGKILLed agent with a NAT node and a cloud TAP port: the next agent removes the bridge, TAP devices, nftables table and dnsmasq', { skip: process.getuid?.() !== 0 && 'needs root (CI runs the suite as root)' }, async (t) => {
  const nat = natNetwork();
  const table = `patchbay-${nat.bridge}`;
  const cloudTap = `pbnc${claimSlot()}rtap`;
  const projectsDir = mkdtempSync(join(tmpdir(), 'patchbay-restart-'));
  t.teardown(() => rmSync(projectsDir, { recursive: true, force: true }));
  const args = ['--projects-dir', projectsDir];
  const first = await withDaemon(t, { args }); // SIGKILLed below; the teardown still removes its folder
  const { id: projectId } = await withProject(t, first, 'nat');
  const project = `/v2/compute/projects/${projectId}`;
  const udp = async () => (await first.json(`${project}/ports/udp`, { ...post({}), expect: 201 })).udp_port as number;
  const natNode = await first.json(`${project}/nat/nodes`, { ...post({ name: 'NAT1' }), expect: 201 });
  await first.json(`${project}/nat/nodes/${natNode.node_id}/adapters/0/ports/0/nio`, { ...post({ type: 'nio_udp', lport: await udp(), rhost: '127.0.0.1', rport: 9 }), expect: 201 });
  const cloud = await first.json(`${project}/cloud/nodes`, {
    ...post({ name: 'Cloud1', ports_mapping: [{ name: cloudTap, port_number: 0, type: 'tap', interface: cloudTap }] }),
    expect: 201,
  });
  await first.json(`${project}/cloud/nodes/${cloud.node_id}/adapters/0/ports/0/nio`, { ...post({ type: 'nio_udp', lport: await udp(), rhost: '127.0.0.1', rport: 9 }), expect: 201 });
  const state = JSON.parse(readFileSync(join(projectsDir, '.patchbay', 'agent-state.json'), 'utf8')) as AgentState;
  const links = state.host_objects.flatMap((o) => (o.kind === 'link' ? [o.name] : []));
  const dnsmasq = state.host_objects.find((o) => o.kind === 'process');
  t.same(state.host_objects.map((o) => o.kind).sort(), ['link', 'link', 'link', 'nft_table', 'process'], 'bridge, two TAP devices, table and dnsmasq are recorded');
  t.ok(links.includes(nat.bridge) && links.includes(cloudTap) && links.some((name) => /^gns3tap\d+-0$/.test(name)), `recorded links: ${links.join(', ')}`);

  first.child.kill('SIGKILL');
  await new Promise((resolve) => first.child.once('exit', resolve));
  t.ok(links.every(linkExists), 'bridge and TAP devices outlive a SIGKILLed agent');
  t.ok(nftTableExists(table), 'so does the nftables table');
  t.ok(dnsmasq?.kind === 'process' && processAlive(dnsmasq.pid), 'and dnsmasq');

  const second = await withDaemon(t, { args });
  t.same(links.filter(linkExists), [], 'the next agent removed the bridge and the TAP devices');
  t.notOk(nftTableExists(table), 'and the nftables table');
  t.ok(dnsmasq?.kind === 'process' && !processAlive(dnsmasq.pid), 'and stopped dnsmasq');
  t.match(second.output(), /removed host objects left by a previous agent/, 'the removal is logged');

  // The same names can be made again at once.
  const againId = randomUUID();
  const again = `/v2/compute/projects/${againId}`;
  await second.json('/v2/compute/projects', { ...post({ name: 'nat2', project_id: againId }), expect: 201 });
  await second.json(`${again}/nat/nodes`, { ...post({ name: 'NAT2' }), expect: 201 });
  t.ok(linkExists(nat.bridge), 'a new NAT network on the restarted agent');
});
