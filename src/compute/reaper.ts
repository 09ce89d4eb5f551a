/**
 * Start-up reaping: emulators recorded in the state file by an agent that died without stopping them (SIGKILL, OOM,
 * power loss of the agent alone) still hold UDP and console ports. They are killed before the new agent listens.
 *
 * A recorded process is ours only if its pid still has the recorded start time. Its process group and descendants
 * go with it. Children that left the group with setsid() — VPCS 0.8 forks one, the pty helper's child is another —
 * are found by parent pid, or, once re-parented, by an argv that is a tail of the recorded argv and contains one of
 * the recorded ports.
 */
import process from 'node:process';
import { reapHostObjects, type HostReapResult } from '../hostnet/ledger.ts';
import { listProcesses, processInfo, type ProcessInfo } from '../process/process-table.ts';
import { readState, type AgentState, type ProcessRecord } from './state-file.ts';

export type ReapResult = { killed: ProcessInfo[]; survivors: ProcessInfo[] };

export type ReapOptions = {
  /** How long to wait for killed processes to disappear; bounded so a stuck D-state process cannot block start-up. */
  waitMs?: number;
};

const sameArgs = (a: readonly string[], b: readonly string[]) => a.length === b.length && a.every((x, i) => x === b[i]);

/** argv is the recorded argv or a tail of it (an exec'd child of a wrapper) naming one of the recorded ports. */
function runsRecordedCommand(info: ProcessInfo, record: ProcessRecord): boolean {
  const { argv } = info;
  if (argv.length < 2 || argv.length > record.argv.length) return false;
  if (!sameArgs(argv.slice(1), record.argv.slice(record.argv.length - argv.length + 1))) return false;
  return record.ports.some((port) => argv.includes(String(port)));
}

/** The processes of `state` that still run, with everything they spawned. */
export function findLeftovers(state: AgentState, table: ProcessInfo[] = listProcesses()): ProcessInfo[] {
  const byPid = new Map(table.map((p) => [p.pid, p]));
  const children = new Map<number, ProcessInfo[]>();
  for (const p of table) children.set(p.ppid, [...(children.get(p.ppid) ?? []), p]);
  const found = new Map<number, ProcessInfo>();
  const addTree = (p: ProcessInfo) => {
    if (found.has(p.pid)) return;
    found.set(p.pid, p);
    for (const child of children.get(p.pid) ?? []) addTree(child);
  };
  for (const record of state.processes) {
    const leader = byPid.get(record.pid);
    const leaderIsOurs = leader !== undefined && leader.startTime !== null && leader.startTime === record.start_time;
    if (leaderIsOurs) addTree(leader);
    // While the leader pid is alive the kernel cannot hand its number out as a new group id: if the leader is gone
    // or verified, every member of the recorded group is ours.
    if (leader === undefined || leaderIsOurs) {
      for (const p of table) if (p.pgid === record.pgid) addTree(p);
    }
    for (const p of table) if (runsRecordedCommand(p, record)) addTree(p);
  }
  found.delete(process.pid);
  found.delete(1);
  return [...found.values()];
}

function kill(pid: number): void {
  try {
    process.kill(pid, 'SIGKILL');
  } catch {
    // Already gone, or not ours to kill (EPERM): it is then reported as a survivor.
  }
}

/** Kills every leftover of `state` and waits (bounded) until they are gone; zombies count as gone. */
export async function reap(state: AgentState, options: ReapOptions = {}): Promise<ReapResult> {
  const leftovers = findLeftovers(state).filter((p) => !p.zombie);
  for (const p of leftovers) kill(p.pid);
  const deadline = Date.now() + (options.waitMs ?? 5000);
  let survivors = leftovers;
  while (survivors.length > 0 && Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 20));
    const table = new Map(listProcesses().map((p) => [p.pid, p]));
    survivors = survivors.filter((p) => {
      const now = table.get(p.pid);
      return now !== undefined && !now.zombie && now.startTime === p.startTime;
    });
  }
  return { killed: leftovers.filter((p) => !survivors.includes(p)), survivors };
}

/** Another agent, still running, owns the state directory: reaping would kill its emulators. */
export class StateDirBusyError extends Error {}

/**
 * Start-up step: refuses a state directory whose recorded agent is still alive, then reaps what a dead agent left:
 * emulators first, then its host objects (helper processes, TAP devices, bridges, nftables tables).
 * Returns what was found so the caller can log it.
 */
export async function reapPrevious(dir: string, options: ReapOptions = {}): Promise<ReapResult & { recorded: number; host: HostReapResult }> {
  const state = await readState(dir);
  const owner = state.agent;
  if (owner && owner.pid !== process.pid) {
    const info = processInfo(owner.pid);
    if (info && !info.zombie && info.startTime !== null && info.startTime === owner.start_time) {
      throw new StateDirBusyError(`Another patchbay agent (pid ${owner.pid}) is using the state directory ${dir}`);
    }
  }
  const processes = await reap(state, options);
  return { recorded: state.processes.length, ...processes, host: await reapHostObjects(state.host_objects) };
}
