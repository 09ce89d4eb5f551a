/**
 * The `vnc` console of a Docker node, as GNS3 builds it: an X server on the host (Xvfb) on a display of its own, a VNC
 * server (x11vnc) showing that display on the node's console port, and the display's socket bound into the container
 * with DISPLAY set, so the container's X clients draw on a screen VNC viewers see. Both processes are supervised like
 * every emulator (no shell, own process group, recorded in the state file through their node directory, reaped after
 * a crash of the agent) and run only while the node runs.
 */
import { closeSync, existsSync, openSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { join } from 'node:path';
import { fail } from '../../errors/index.ts';
import { resolveExecutable } from '../../process/executable.ts';
import { Supervised, type ExitInfo } from '../../process/supervised.ts';
import { processInfo } from '../../process/process-table.ts';
import { xSocket } from './settings.ts';

/** Where X servers put their lock files. */
const LOCK_DIR = '/tmp';
/** GNS3 starts looking for a free display at :100, above any display a desktop session uses. */
const FIRST_DISPLAY = 100;
/** Colour depth of the screen (GNS3's). */
const DEPTH = 16;
/** How long each server may take to accept connections. */
const READY_TIMEOUT_MS = 10_000;

/** Xvfb's arguments: the display, a screen of `resolution` (`WIDTHxHEIGHT`), no TCP listener. */
export function xvfbArgs(display: number, resolution: string): string[] {
  return [`:${display}`, '-nolisten', 'tcp', '-screen', '0', `${resolution}x${DEPTH}`];
}

/** x11vnc's arguments: serve `display` on `host:port` to any number of viewers, without a password, as GNS3 does. */
export function x11vncArgs(display: number, host: string, port: number, log: string): string[] {
  const listen = host.includes(':') ? ['-6', '-noipv4', '-listen6', host] : ['-noipv6', '-listen', host];
  return [
    '-display', `:${display}`, '-rfbport', String(port), ...listen,
    '-forever', '-shared', '-nopw', '-norc', '-noncache', '-oa', log,
  ];
}

/** Displays chosen by nodes of this agent, so two nodes never get the same one before either X server runs. */
const claimed = new Set<number>();

const lockFile = (display: number) => join(LOCK_DIR, `.X${display}-lock`);

/**
 * True when an X server may take `display`: no lock file, or one whose process is gone. A zombie counts as gone (an X
 * server killed with its agent is re-parented, and may never be reaped where PID 1 does not reap), though Xvfb's own
 * check would take it for a live server: clearDeadDisplay() removes such a lock first.
 */
function displayFree(display: number): boolean {
  if (claimed.has(display)) return false;
  const lock = lockFile(display);
  if (!existsSync(lock)) return true;
  let pid: number;
  try {
    pid = Number(readFileSync(lock, 'utf8').trim());
  } catch {
    return false;
  }
  if (!Number.isInteger(pid) || pid <= 0) return false;
  const holder = processInfo(pid);
  return holder === null || holder.zombie;
}

/** Claims the first free display from :100 for a node; `releaseDisplay` gives it back. */
export function claimDisplay(): number {
  let display = FIRST_DISPLAY;
  while (!displayFree(display)) display++;
  clearDeadDisplay(display);
  claimed.add(display);
  return display;
}

export function releaseDisplay(display: number | null): void {
  if (display !== null) claimed.delete(display);
}

/** Removes the lock file and socket of `display` when the X server that made them is gone (killed, it could not). */
export function clearDeadDisplay(display: number): void {
  if (claimed.has(display) || !existsSync(lockFile(display)) || !displayFree(display)) return;
  rmSync(xSocket(display), { force: true });
  rmSync(lockFile(display), { force: true });
}

/** The host programs a VNC console needs; 409 naming the missing ones. */
export async function vncPrograms(): Promise<{ xvfb: string; x11vnc: string }> {
  const [xvfb, x11vnc] = await Promise.all([resolveExecutable('Xvfb'), resolveExecutable('x11vnc')]);
  if (!xvfb || !x11vnc) {
    const missing = [xvfb ? null : 'Xvfb', x11vnc ? null : 'x11vnc'].filter(Boolean).join(' and ');
    throw fail('DOCKER_VNC_PROGRAMS_MISSING', missing);
  }
  return { xvfb, x11vnc };
}

export type VncServer = {
  /** Resolves when either process ends; stop() has to be called then to end the other. */
  readonly exited: Promise<ExitInfo>;
  stop(graceMs: number): Promise<void>;
};

export type VncOptions = { display: number; resolution: string; host: string; port: number; directory: string };

/**
 * Starts the X server, waits until it accepts connections (so Docker binds a live socket, never creating a directory
 * in its place), then the VNC server, and waits until it listens. The two write `vnc.log` in the node directory.
 */
export async function startVncServer(options: VncOptions): Promise<VncServer> {
  const programs = await vncPrograms();
  const logFile = join(options.directory, 'vnc.log');
  writeFileSync(logFile, '');
  // Appending: x11vnc appends to the same file by name.
  const logFd = openSync(logFile, 'a');
  const started: Supervised[] = [];
  const stop = async (graceMs: number) => {
    // The VNC server first: it is the X server's client and would log the X server's end as an error.
    for (const process of [...started].reverse()) await process.stop(graceMs);
  };
  try {
    const xvfb = await Supervised.spawn(programs.xvfb, xvfbArgs(options.display, options.resolution), { cwd: options.directory, output: logFd });
    started.push(xvfb);
    await whenReady(xvfb, () => socketAccepts(xSocket(options.display)), 'Xvfb', logFile);
    const x11vnc = await Supervised.spawn(
      programs.x11vnc,
      x11vncArgs(options.display, options.host, options.port, logFile),
      { cwd: options.directory, output: 'pipe' },
    );
    started.push(x11vnc);
    // x11vnc prints PORT=<n> on stdout once it listens (its log goes to vnc.log).
    let out = '';
    x11vnc.pipes!.stdout.on('data', (chunk: Buffer) => (out += chunk));
    await whenReady(x11vnc, async () => /^PORT=\d+/m.test(out), 'x11vnc', logFile);
  } catch (err) {
    await stop(0);
    throw err;
  } finally {
    closeSync(logFd);
  }
  return { exited: Promise.race(started.map((p) => p.exited)), stop };
}

/** Polls `ready` until it holds; fails with the log's tail when the process exits first or takes too long. */
async function whenReady(process: Supervised, ready: () => Promise<boolean>, name: string, logFile: string): Promise<void> {
  const deadline = performance.now() + READY_TIMEOUT_MS;
  const state: { exit: ExitInfo | null } = { exit: null };
  void process.exited.then((info) => (state.exit = info));
  for (let delay = 5; ; delay = Math.min(delay * 2, 100)) {
    if (await ready()) return;
    if (state.exit || performance.now() > deadline) {
      const why = state.exit ? `exited with ${state.exit.code ?? state.exit.signal}` : `not ready after ${READY_TIMEOUT_MS / 1000} s`;
      throw new Error(`${name} ${why}: ${logTail(logFile)}`);
    }
    await new Promise((resolve) => setTimeout(resolve, delay));
  }
}

function logTail(file: string): string {
  try {
    return readFileSync(file, 'utf8').trim().split('\n').slice(-5).join('\n');
  } catch {
    return '(no log)';
  }
}

/** True when a unix socket accepts a connection (a stale socket file left by a killed server refuses it). */
function socketAccepts(path: string): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ path }, () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}
