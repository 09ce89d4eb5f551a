/**
 * What a daemon holds or leaves behind, for the suites that check nothing leaks (faults, fuzz, soak) and their
 * benchmarks: the emulators below it, its resident memory, its reserved ports, and a "delete every project" sweep.
 */
import { readFileSync } from 'node:fs';
import { descendants } from '../../src/process/supervised.ts';
import type { DaemonProcess } from './daemon.ts';

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

export async function reservedPorts(daemon: Pick<DaemonProcess, 'json'>): Promise<PortsSnapshot> {
  const ports = await daemon.json('/v2/compute/network/ports', { expect: 200 });
  return { console_ports: ports.console_ports, udp_ports: ports.udp_ports };
}

/** Deletes every controller project, then closes what is left on the compute: afterwards nothing may hold a port. */
export async function deleteEverything(daemon: Pick<DaemonProcess, 'api' | 'json'>, controller: boolean): Promise<void> {
  if (controller) {
    for (const project of await daemon.json('/v2/projects', { expect: 200 })) {
      await daemon.api(`/v2/projects/${project.project_id}`, { method: 'DELETE' });
    }
  }
  for (const project of await daemon.json('/v2/compute/projects', { expect: 200 })) {
    await daemon.api(`/v2/compute/projects/${project.project_id}`, { method: 'DELETE' });
  }
}
