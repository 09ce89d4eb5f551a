/** Docker test helpers: the real docker CLI, for looking at what the agent did from outside. */
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { withProject, type DaemonProcess, type Teardown } from '../helpers/daemon.ts';

export const IMAGE = 'pbdk-busybox:latest';
export const CONFIG_IMAGE = 'pbdk-busybox:config';

export function docker(...args: string[]): string {
  return execFileSync('docker', args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] }).trim();
}

/** `docker inspect` of one container, or null when it does not exist. */
export function inspect(id: string): any {
  try {
    return JSON.parse(docker('inspect', id))[0];
  } catch {
    return null;
  }
}

/** Runs a command in a container with our busybox and returns its output. */
export function execIn(id: string, ...command: string[]): string {
  return docker('exec', id, '/gns3/bin/busybox', ...command);
}

/** Ids of the containers (running or not) labelled with an agent's state directory. */
export function containersOf(stateDir: string): string[] {
  const out = docker('ps', '-aq', '--no-trunc', '--filter', `label=net.patchbay.state=${stateDir}`);
  return out === '' ? [] : out.split('\n');
}

/** A container command that exits at once on SIGTERM (a shell as PID 1 ignores it, so each stop would take 5 s). */
export const QUICK_STOP = "sh -c 'trap \"exit 0\" TERM; while :; do sleep 0.2; done'";

export async function until<T>(probe: () => T | Promise<T>, what: string, timeoutMs = 15_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/** A new compute project on `daemon`, with the base path of its Docker nodes and the agent's state directory. */
export async function dockerProject(t: Teardown, daemon: DaemonProcess, name: string): Promise<{ projectId: string; base: string; stateDir: string }> {
  const { id: projectId, path } = await withProject(t, daemon, name);
  return { projectId, base: `${path}/docker/nodes`, stateDir: join(daemon.projectsDir, '.patchbay') };
}
