/** Restart safety: an agent killed with SIGKILL leaves emulators behind; the next agent on the same state dir reaps them. */
import t from 'tap';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startDaemon, VPCS_083 } from '../helpers/daemon.ts';
import { pidsMatching, runSeedSession } from '../helpers/seed.ts';
import { processAlive, tcpFree, udpFree } from '../helpers/ports.ts';
import type { AgentState } from '../../src/compute/state-file.ts';

const binaries = [
  { label: 'VPCS 0.8.3 (forks a setsid child)', path: VPCS_083 },
  { label: "Debian's VPCS 0.5b2 (on the agent's pseudo-terminal)", path: 'vpcs' },
];

/** Polls until the state file lists `count` emulators (the write follows the spawn by a few milliseconds). */
async function stateWith(file: string, count: number): Promise<AgentState> {
  for (let i = 0; i < 200; i++) {
    try {
      const state = JSON.parse(readFileSync(file, 'utf8')) as AgentState;
      if (state.processes.length >= count) return state;
    } catch {
      // Not written yet.
    }
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
  throw new Error(`state file ${file} never listed ${count} processes`);
}

for (const binary of binaries) {
  t.test(`SIGKILLed agent with running ${binary.label}: the next agent reaps them and every port is free`, async (t) => {
    const projectsDir = mkdtempSync(join(tmpdir(), 'patchbay-restart-'));
    t.teardown(() => rmSync(projectsDir, { recursive: true, force: true }));
    const args = ['--vpcs-path', binary.path, '--projects-dir', projectsDir];
    const first = await startDaemon({ args });
    const seed = await runSeedSession(first);
    const state = await stateWith(join(projectsDir, '.patchbay', 'agent-state.json'), 2);
    t.equal(state.agent?.pid, first.child.pid, 'the state file names the agent');
    t.ok(state.processes.every((p) => p.start_time !== null && p.ports.length >= 2), 'each emulator is recorded with its start time and ports');

    // Every process running one of this session's emulators, setsid'd children included.
    const tunnels = state.processes.map((p) => p.argv[p.argv.indexOf('-s') + 1]);
    const emulators = tunnels.flatMap((port) => pidsMatching(`-s ${port} `));
    t.ok(emulators.length >= 2, `emulator processes found: ${emulators.join(', ')}`);

    first.child.kill('SIGKILL');
    await new Promise((resolve) => first.child.once('exit', resolve));
    t.ok(emulators.every(processAlive), 'the emulators outlive a SIGKILLed agent (what the reaper is for)');

    const second = await startDaemon({ args });
    t.teardown(() => second.stop());
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
  const first = await startDaemon({ args: ['--projects-dir', projectsDir] });
  t.teardown(() => first.stop());
  await t.rejects(startDaemon({ args: ['--projects-dir', projectsDir] }), /Another patchbay agent \(pid \d+\) is using the state directory/);
});
