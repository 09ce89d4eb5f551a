/** Issue #2, must-show 1: the seed session with both VPCS builds, real packets through the relay, clean teardown. */
import t from 'tap';
import { execFileSync } from 'node:child_process';
import { post, VPCS_083, withDaemon } from '../helpers/daemon.ts';
import { runSeedSession } from '../helpers/seed.ts';
import { processAlive, tcpFree, udpFree } from '../helpers/ports.ts';

const binaries = [
  { label: "Debian's VPCS 0.5b2", path: 'vpcs', version: '0.5b2' },
  { label: 'VPCS 0.8.3 (GNS3 build)', path: VPCS_083, version: '0.8.3' },
];

for (const binary of binaries) {
  t.test(`seed session with ${binary.label}`, async (t) => {
    const daemon = await withDaemon(t, { args: ['--vpcs-path', binary.path] });
    const seed = await runSeedSession(daemon);
    const base = `/v2/compute/projects/${seed.projectId}`;

    t.match(seed.pingOutput, /10\.0\.0\.2 icmp_seq=1 ttl=64/, 'PC1 gets ICMP replies from PC2 through the relay');
    t.match(seed.pingOutput, /icmp_seq=3 ttl=64/, 'all three pings answered');
    if (binary.version === '0.8.3') {
      t.match(seed.nodes[0]!.command_line, / -F -R -s \d+ -c \d+ -t 127\.0\.0\.1 startup\.vpc$/, 'launched with GNS3 arguments');
    } else {
      t.match(seed.nodes[0]!.command_line, /^\S+vpcs -m 0 -i 1 -s/, 'launched directly, on a pseudo-terminal the agent holds');
    }
    // Issue #12: a node costs its emulator process only (0.5b2 ran behind a python3 pty helper before).
    const children = execFileSync('ps', ['--ppid', String(daemon.child.pid), '-o', 'comm='], { encoding: 'utf8' }).split('\n').filter(Boolean);
    t.same(children.sort(), ['vpcs', 'vpcs'].map((name) => (binary.version === '0.8.3' ? 'vpcs-0.8.3' : name)), 'the agent runs one process per node');
    t.ok(seed.pids.length >= 2, 'emulator processes are running');

    for (const node of seed.nodes) {
      const response = await daemon.api(`${base}/vpcs/nodes/${node.node_id}/stop`, post());
      t.equal(response.status, 204, 'stop answers 204');
      const after = await daemon.json(`${base}/vpcs/nodes/${node.node_id}`, { expect: 200 });
      t.equal(after.status, 'stopped');
    }
    await daemon.json(`${base}/vpcs/nodes/${seed.nodes[1]!.node_id}`, { method: 'DELETE', expect: 204 });
    await daemon.json(`${base}/close`, { ...post(), expect: 204 });

    t.same(seed.pids.filter(processAlive), [], 'no vpcs process left');
    const ports = await daemon.json('/v2/compute/network/ports', { expect: 200 });
    t.same(ports.console_ports, [], 'no console port reserved');
    t.same(ports.udp_ports, [], 'no UDP port reserved');
    for (const node of seed.nodes) t.ok(await tcpFree(node.console), `console port ${node.console} is free`);
    for (const port of seed.udpPorts) t.ok(await udpFree(port), `UDP port ${port} is free`);
  });
}

t.test('SIGTERM stops running emulators and exits 0', async (t) => {
  const daemon = await withDaemon(t, { args: ['--vpcs-path', VPCS_083] });
  const seed = await runSeedSession(daemon);
  t.ok(seed.pids.every(processAlive), 'emulators run before SIGTERM');
  t.equal(await daemon.stop(), 0, 'daemon exits 0');
  t.same(seed.pids.filter(processAlive), [], 'no emulator outlives the daemon');
  for (const node of seed.nodes) t.ok(await tcpFree(node.console), `console port ${node.console} is free`);
  for (const port of seed.udpPorts) t.ok(await udpFree(port), `UDP port ${port} is free`);
});
