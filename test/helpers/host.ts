/** What a daemon left on the host: its state file's ledger of host objects, and nftables tables. */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { AgentState } from '../../src/compute/state-file.ts';
import type { DaemonProcess } from './daemon.ts';

/** The daemon's state file as it is now on disk. */
const agentState = (daemon: Pick<DaemonProcess, 'projectsDir'>): AgentState =>
  JSON.parse(readFileSync(join(daemon.projectsDir, '.patchbay', 'agent-state.json'), 'utf8')) as AgentState;

/** The host objects (bridges, TAP devices, nftables tables, helper processes) the daemon has recorded. */
export const hostObjects = (daemon: Pick<DaemonProcess, 'projectsDir'>) => agentState(daemon).host_objects;

/** Whether the nftables table `ip <name>` exists. */
export function nftTableExists(name: string): boolean {
  try {
    execFileSync('nft', ['list', 'table', 'ip', name], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}
