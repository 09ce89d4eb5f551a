/**
 * Issue #12: every VPCS starts with 10 ms of timer slack (Debian's 0.5b2: a thread of it wakes every 100 µs; 0.8.3:
 * two threads of its packet process wake every 1 ms), under Node (posix_spawn; 0.5b2 on the agent's terminal) and
 * under Deno (Deno's spawn; 0.5b2 behind the python3 pty helper), and two of them still ping each other through a link; the agent
 * keeps its own slack.
 */
import t from 'tap';
import { readFileSync, readlinkSync } from 'node:fs';
import { VPCS_083, withDaemon } from '../../helpers/daemon.ts';
import { runSeedSession } from '../../helpers/seed.ts';
import { processInfo } from '../../../src/process/process-table.ts';

const slackOf = (pid: number) => Number(readFileSync(`/proc/${pid}/timerslack_ns`, 'utf8'));
const parentOf = (pid: number) => processInfo(pid)!.ppid;
const isPtyHelper = (pid: number) => /python3/.test(readlinkSync(`/proc/${pid}/exe`));
/** The agent that runs `pid`: its nearest ancestor that is neither the pty helper nor one of `emulators`. */
const agentOf = (pid: number, emulators: number[]) => {
  let ancestor = parentOf(pid);
  while (isPtyHelper(ancestor) || emulators.includes(ancestor)) ancestor = parentOf(ancestor);
  return ancestor;
};

const cases = [
  { runtime: 'node', vpcs: 'vpcs' },
  { runtime: 'deno', vpcs: 'vpcs' },
  { runtime: 'node', vpcs: VPCS_083 },
  { runtime: 'deno', vpcs: VPCS_083 },
] as const;

for (const { runtime, vpcs } of cases) {
  t.test(`${vpcs === 'vpcs' ? 'VPCS 0.5b2' : 'VPCS 0.8.3'} under ${runtime}`, async (t) => {
    const daemon = await withDaemon(t, { runtime, args: ['--vpcs-path', vpcs] });
    const seed = await runSeedSession(daemon);
    t.match(seed.pingOutput, /10\.0\.0\.2 icmp_seq=3 ttl=64/, 'PC1 pings PC2 through the relay');
    // VPCS 0.8.3 forks a packet reader: its processes count too.
    const emulators = seed.pids.filter((pid) => !isPtyHelper(pid));
    t.ok(emulators.length >= 2, 'emulator processes run');
    const ownSlack = slackOf(process.pid);
    for (const pid of emulators) {
      t.equal(slackOf(pid), 10_000_000, 'the emulator runs with 10 ms of slack');
    }
    const agents = [...new Set(emulators.map((pid) => agentOf(pid, emulators)))];
    t.equal(agents.length, 1, 'one agent runs them');
    t.equal(slackOf(agents[0]!), ownSlack, 'the agent keeps the slack it was started with');
  });
}
