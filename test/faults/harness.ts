/**
 * Helpers for the robustness suites (fuzz, faults, soak) and their benchmarks: a daemon whose controller state is
 * isolated, the emulators it runs, and a "nothing left behind" check.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { descendants } from '../../src/process/supervised.ts';
import { startDaemon, type DaemonOptions, type DaemonProcess } from '../helpers/daemon.ts';

export type Isolated = DaemonProcess;

/**
 * Like startDaemon, but with the projects folder one level down in a private directory: the controller keeps its
 * config, symbols and configs beside the projects folder, and the shared helper's folder sits directly in /tmp.
 * `root` survives a stop/start cycle when passed back in (a restarted controller must find its projects).
 */
export async function startIsolated(options: DaemonOptions = {}): Promise<Isolated> {
  return startDaemon({ ...options, root: options.root ?? mkdtempSync(join(tmpdir(), 'patchbay-robust-')) });
}

export const removeRoot = (root: string) => rmSync(root, { recursive: true, force: true });

/** Command name of a process, or null if it is gone or a zombie. */
function commOf(pid: number): string | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    if (stat.slice(stat.lastIndexOf(')') + 2)[0] === 'Z') return null;
    return readFileSync(`/proc/${pid}/comm`, 'utf8').trim();
  } catch {
    return null;
  }
}

/** Emulator processes (VPCS, QEMU) below a daemon, zombies excluded. */
export function emulatorPids(daemonPid: number): number[] {
  return descendants(daemonPid).filter((pid) => /^(vpcs|qemu)/.test(commOf(pid) ?? ''));
}

/** Resident set size of a process in KiB. */
export function rssKiB(pid: number): number {
  try {
    return Number(/VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? NaN);
  } catch {
    return NaN;
  }
}

export type PortsSnapshot = { console_ports: number[]; udp_ports: number[] };

export async function reservedPorts(daemon: DaemonProcess): Promise<PortsSnapshot> {
  const ports = await daemon.json('/v2/compute/network/ports', { expect: 200 });
  return { console_ports: ports.console_ports, udp_ports: ports.udp_ports };
}

/** Deletes every controller project, then closes what is left on the compute: afterwards nothing may hold a port. */
export async function deleteEverything(daemon: DaemonProcess, controller: boolean): Promise<void> {
  if (controller) {
    for (const project of await daemon.json('/v2/projects', { expect: 200 })) {
      await daemon.api(`/v2/projects/${project.project_id}`, { method: 'DELETE' });
    }
  }
  for (const project of await daemon.json('/v2/compute/projects', { expect: 200 })) {
    await daemon.api(`/v2/compute/projects/${project.project_id}`, { method: 'DELETE' });
  }
}
