/** Starts the real patchbay daemon as a child process on an ephemeral port, for integration tests. */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

export const ROOT = resolve(import.meta.dirname, '..', '..');
/** The VPCS 0.8.3 and Dynamips builds the tests run, kept in the repository (vendor/bin/README.md). */
export const VENDOR_BIN = resolve(ROOT, 'vendor', 'bin');
export const VPCS_083 = join(VENDOR_BIN, 'vpcs-0.8.3');

export type DaemonProcess = {
  url: string;
  api: (path: string, init?: RequestInit) => Promise<Response>;
  /** Fetches and parses JSON, failing loudly on an unexpected status. */
  json: <T = any>(path: string, init?: RequestInit & { expect?: number }) => Promise<T>;
  child: ChildProcess;
  /** Temporary folder holding projects, images and controller state. */
  root: string;
  projectsDir: string;
  output: () => string;
  /** Sends SIGTERM and resolves with the exit code. */
  stop: () => Promise<number | null>;
};

export type DaemonOptions = {
  mode?: 'agent' | 'controller';
  args?: string[];
  env?: Record<string, string>;
  /** `node` (default: the compiled daemon in dist/, as installed), `deno` (the sources), or a single binary. */
  runtime?: 'node' | 'deno' | { binary: string };
  /** Reuse this folder (e.g. to restart a daemon on the same state); it is then left for the caller to remove. */
  root?: string;
  /** A command that execs the daemon, e.g. `['setpriv', '--bounding-set', '-net_admin', '--']` to drop a capability. */
  prefix?: string[];
};

const SLOTS = 20;
const SLOT_DIR = join(tmpdir(), 'patchbay-test-slots');
let ownSlot: number | undefined;

/** Claims a slot no other live test process holds (a lock file with our pid), for this process's lifetime. */
export function claimSlot(): number {
  if (ownSlot !== undefined) return ownSlot;
  mkdirSync(SLOT_DIR, { recursive: true });
  for (let i = 0; i < SLOTS * 2; i++) {
    const slot = (process.pid + i) % SLOTS;
    const file = join(SLOT_DIR, String(slot));
    try {
      writeFileSync(file, String(process.pid), { flag: 'wx' });
      ownSlot = slot;
      process.on('exit', () => rmSync(file, { force: true }));
      return slot;
    } catch {
      const holder = Number(readFileSync(file, 'utf8'));
      try {
        process.kill(holder, 0);
      } catch {
        rmSync(file, { force: true }); // Left by a test process that died; free it and try again.
      }
    }
  }
  throw new Error(`all ${SLOTS} test port slots are held by live processes`);
}

/**
 * Port ranges for a daemon of this test process. Each process claims its own slot, so test files running in
 * parallel never compete for a port; `part` of `parts` splits the slot for tests that start several daemons.
 * Everything stays below 32768, where Linux's ephemeral range starts, so no outgoing connection sits on a port.
 */
export function portRanges(part = 0, parts = 1): { console: string; udp: string } {
  const slot = claimSlot();
  const range = (start: number, size: number) => {
    const share = Math.floor(size / parts);
    const from = start + slot * size + part * share;
    return `${from}-${from + share - 1}`;
  };
  return { console: range(20000, 300), udp: range(26000, 330) };
}

/**
 * Host network names and subnet of this test process's slot: every daemon a test starts makes its NAT network here
 * (never the host-wide defaults pbnat0 / 192.168.122.0/24) and never attaches to a host's real virbr0.
 */
export function natNetwork(): { bridge: string; subnet: string; gateway: string; args: string[] } {
  const slot = claimSlot();
  const bridge = `pbnc${slot}nat`;
  const subnet = `10.250.${slot}.0/24`;
  return { bridge, subnet, gateway: `10.250.${slot}.1`, args: ['--nat-interface', '', '--nat-bridge', bridge, '--nat-subnet', subnet] };
}

/**
 * The V8 flags `deno task start` and `deno task agent` give Deno (deno.json's `--v8-flags=`, comma-separated). Deno
 * freezes V8's flags once it has started, so the daemon cannot set them itself as it does on Node
 * (src/runtime/heap-growth.ts); a benchmark passes these as DENO_V8_FLAGS to run Deno as users do.
 */
export function denoTaskV8Flags(task: 'start' | 'agent'): string {
  const tasks = JSON.parse(readFileSync(join(ROOT, 'deno.json'), 'utf8')).tasks as Record<string, string>;
  return /--v8-flags=(\S+)/.exec(tasks[task] ?? '')?.[1] ?? '';
}

/**
 * The environment that makes a daemon run as users get it (docs/performance.md), for benchmarks: on Node the V8 flag
 * and malloc arena cap of `npm start`, the installed launcher and the service; on Deno the V8 flags of `deno task`.
 */
export function usersDaemonEnv(runtime: 'node' | 'deno', task: 'start' | 'agent'): Record<string, string> {
  if (runtime === 'node') return { NODE_OPTIONS: '--max-semi-space-size=1', MALLOC_ARENA_MAX: '4' };
  const flags = denoTaskV8Flags(task);
  return flags ? { DENO_V8_FLAGS: flags } : {};
}

/** Daemons not stopped yet: a test that fails before its teardown must not leave one running after it exits. */
const running = new Set<ChildProcess>();
process.on('exit', () => {
  for (const child of running) child.kill('SIGTERM');
});

export async function startDaemon(options: DaemonOptions = {}): Promise<DaemonProcess> {
  // Controller state (gns3_controller.conf, symbols) lives beside the projects folder: nest it so that no two
  // daemons share it.
  const ownRoot = !options.root;
  const root = options.root ?? mkdtempSync(join(tmpdir(), 'patchbay-test-'));
  const projectsDir = join(root, 'projects');
  const ranges = portRanges();
  const args = [
    options.mode ?? 'agent',
    '--port', '0',
    '--projects-dir', projectsDir,
    '--images-dir', join(root, 'images'),
    '--console-ports', ranges.console,
    '--udp-ports', ranges.udp,
    ...natNetwork().args,
    ...(options.args ?? []),
  ];
  const runtime = options.runtime ?? 'node';
  const [command, argv] = typeof runtime === 'object'
    ? [runtime.binary, args]
    : runtime === 'deno'
    ? [join(ROOT, 'node_modules', '.bin', 'deno'), ['run', '-A', 'agent/main.ts', ...args]]
    : [process.execPath, [join(ROOT, 'dist', 'agent', 'main.js'), ...args]];
  const [file, ...fileArgs] = options.prefix ? [...options.prefix, command, ...argv] : [command, ...argv];
  const child = spawn(file!, fileArgs, { cwd: ROOT, env: { ...process.env, ...options.env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout!.on('data', (d) => (output += d));
  child.stderr!.on('data', (d) => (output += d));
  running.add(child);
  const exited = new Promise<number | null>((done) => child.once('exit', (code) => {
    running.delete(child);
    done(code);
  }));
  // A daemon that never comes up (tests of bad options expect that) must not leave its folder behind either.
  const url = await new Promise<string>((done, fail) => {
    const timer = setTimeout(() => fail(new Error(`daemon did not start:\n${output}`)), 30_000);
    const check = () => {
      const match = /listening on (https?:\/\/\S+)/.exec(output);
      if (match) {
        clearTimeout(timer);
        done(match[1]!);
      }
    };
    child.stdout!.on('data', check);
    child.once('exit', () => {
      clearTimeout(timer);
      fail(new Error(`daemon exited early:\n${output}`));
    });
  }).catch(async (error: unknown) => {
    if (child.exitCode === null) child.kill('SIGKILL');
    await exited;
    if (ownRoot) rmSync(root, { recursive: true, force: true });
    throw error;
  });
  return {
    ...httpClient(url),
    child,
    root,
    projectsDir,
    output: () => output,
    stop: async () => {
      if (child.exitCode === null) child.kill('SIGTERM');
      const code = await exited;
      if (ownRoot) rmSync(root, { recursive: true, force: true });
      return code;
    },
  };
}

/** What tap hands every test (the file's root `t` included): a place to register clean-up, run last-in first-out. */
export type Teardown = { teardown(fn: () => unknown): void };

/**
 * startDaemon, stopped (and its own folder removed) when `t` ends. A test may still stop it earlier to check the exit.
 *
 * @example const daemon = await withDaemon(t, { args: ['--vpcs-path', VPCS_083] });
 */
export async function withDaemon(t: Teardown, options: DaemonOptions = {}): Promise<DaemonProcess> {
  const daemon = await startDaemon(options);
  t.teardown(() => daemon.stop());
  return daemon;
}

/** A project on a daemon's compute API. */
export type ComputeProject = {
  id: string;
  /** `/v2/compute/projects/<id>`, the prefix of every route of the project. */
  path: string;
  /** Reserves a UDP port for a NIO (`POST …/ports/udp`). */
  udpPort(): Promise<number>;
};

/**
 * Creates a project on the daemon's compute (`POST /v2/compute/projects`) and closes it when `t` ends, so that tests
 * sharing one daemon get their emulators stopped and their ports back one by one. A project the test already closed
 * or deleted (404), or a daemon already stopped, leaves nothing to close.
 *
 * @example const project = await withProject(t, daemon, 'vlans');
 */
export async function withProject(t: Teardown, daemon: Pick<DaemonProcess, 'api' | 'json'>, name: string): Promise<ComputeProject> {
  const id = randomUUID();
  const path = `/v2/compute/projects/${id}`;
  await daemon.json('/v2/compute/projects', { ...post({ name, project_id: id }), expect: 201 });
  t.teardown(() => daemon.api(`${path}/close`, post()).then((r) => r.body?.cancel(), () => undefined));
  return {
    id,
    path,
    udpPort: async () => (await daemon.json(`${path}/ports/udp`, { ...post({}), expect: 201 })).udp_port as number,
  };
}

/** `api` (raw fetch) and `json` (parse, and check the status when `expect` is given) against a daemon at `url`. */
export function httpClient(url: string): Pick<DaemonProcess, 'url' | 'api' | 'json'> {
  return { url, ...client((path, init) => fetch(`${url}${path}`, init)) };
}

/** `api` as given, and `json` over it: parses the answer, and checks the status when `expect` is given. */
export function client(api: DaemonProcess['api']): Pick<DaemonProcess, 'api' | 'json'> {
  const json = async (path: string, init: RequestInit & { expect?: number } = {}) => {
    const response = await api(path, init);
    const text = await response.text();
    if (init.expect !== undefined && response.status !== init.expect) {
      throw new Error(`${init.method ?? 'GET'} ${path}: expected ${init.expect}, got ${response.status} ${text}`);
    }
    return text ? JSON.parse(text) : null;
  };
  return { api, json };
}

export const post = (body?: unknown): RequestInit => ({
  method: 'POST',
  body: body === undefined ? undefined : JSON.stringify(body),
  headers: { 'content-type': 'application/json' },
});
export const put = (body: unknown): RequestInit => ({ ...post(body), method: 'PUT' });
