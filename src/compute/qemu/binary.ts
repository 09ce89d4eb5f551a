/** Finds `qemu-system-*` binaries, reads their version, and decides whether KVM can be used with them. */
import { execFile, spawn } from 'node:child_process';
import { access, constants, readdir } from 'node:fs/promises';
import { arch } from 'node:os';
import { basename, delimiter, join } from 'node:path';
import { QEMU_PLATFORMS } from './schemas.ts';
import { resolveExecutable } from '../../process/executable.ts';
import { fail } from '../../errors/index.ts';


export type QemuBinary = { path: string; version: string; platform: string };

/** The platform a binary emulates, from its name as GNS3 derives it (`qemu-kvm` is x86_64, plain `qemu` is i386). */
export function platformOf(path: string): string | null {
  const name = basename(path).replace(/\.exe$/, '');
  if (name === 'qemu-kvm') return 'x86_64';
  if (name === 'qemu') return 'i386';
  const m = /^qemu-system-(\w+)$/.exec(name);
  return m && (QEMU_PLATFORMS as readonly string[]).includes(m[1]!) ? m[1]! : null;
}

export function parseQemuVersion(output: string): string | null {
  return /version\s+(\d+\.\d+(?:\.\d+)?)/.exec(output)?.[1] ?? null;
}

const run = (file: string, args: string[], timeout = 10_000) =>
  new Promise<{ ok: boolean; output: string }>((resolve) => {
    execFile(file, args, { timeout }, (err, stdout, stderr) => resolve({ ok: !err, output: `${stdout}${stderr}` }));
  });

const versions = new Map<string, Promise<string | null>>();

/** `<qemu> -version`, cached per path. */
export function qemuVersion(path: string): Promise<string | null> {
  let found = versions.get(path);
  if (!found) {
    found = run(path, ['-version']).then(({ output }) => parseQemuVersion(output));
    versions.set(path, found);
    void found.then((version) => version ?? versions.delete(path));
  }
  return found;
}

/**
 * Resolves the binary of a node: its `qemu_path`, else `qemu-system-<platform>`, else the agent default.
 * Errors are 409 QemuError with GNS3's wording.
 */
export async function findQemu(qemuPath: string | null, platform: string | null, agentDefault?: string): Promise<QemuBinary> {
  const wanted = [qemuPath, platform ? `qemu-system-${platform}` : null, agentDefault].filter((p): p is string => !!p);
  if (wanted.length === 0) throw fail('QEMU_BINARY_UNNAMED');
  let path: string | null = null;
  for (const candidate of wanted) {
    path = await resolveExecutable(candidate);
    if (path) break;
  }
  if (!path) throw fail('QEMU_BINARY_NOT_FOUND', wanted[0]);
  try {
    await access(path, constants.X_OK);
  } catch {
    throw fail('QEMU_BINARY_NOT_EXECUTABLE', path);
  }
  const version = await qemuVersion(path);
  if (!version) throw fail('QEMU_VERSION_UNKNOWN', path);
  return { path, version, platform: platformOf(path) ?? platform ?? 'x86_64' };
}

/** Binaries on PATH whose name passes `match`, with their version: `GET /qemu/binaries` and `/qemu/img-binaries`. */
export async function listBinaries(match: (name: string) => boolean, versionFlag: string): Promise<Array<{ path: string; version: string }>> {
  const seen = new Set<string>();
  const out: Array<{ path: string; version: string }> = [];
  for (const dir of (process.env.PATH ?? '').split(delimiter).filter(Boolean)) {
    let names: string[];
    try {
      names = await readdir(dir);
    } catch {
      continue;
    }
    for (const name of names.sort()) {
      if (!match(name) || seen.has(name)) continue;
      seen.add(name);
      const path = join(dir, name);
      const version = parseQemuVersion((await run(path, [versionFlag])).output);
      if (version) out.push({ path, version });
    }
  }
  return out;
}

/** Guest platforms KVM can accelerate on this host's CPU architecture. */
function kvmPlatforms(): string[] {
  if (arch() === 'x64') return ['x86_64', 'i386'];
  if (arch() === 'arm64') return ['aarch64'];
  return [];
}

const kvmChecks = new Map<string, Promise<boolean>>();

/**
 * Whether KVM really works with this binary. `/dev/kvm` being there is not enough: on nested hosts whose virtual CPU
 * lacks features of QEMU's default model, QEMU only warns ("host doesn't support requested feature") and the guest
 * then hangs at boot (seen on this project's machines). So a paused VM is started once with KVM and any warning or
 * error counts as "unusable", and the node falls back to TCG.
 */
export function kvmUsable(binary: QemuBinary): Promise<boolean> {
  if (process.platform !== 'linux' || !kvmPlatforms().includes(binary.platform)) return Promise.resolve(false);
  let check = kvmChecks.get(binary.path);
  if (!check) {
    check = probeKvm(binary.path);
    kvmChecks.set(binary.path, check);
  }
  return check;
}

async function probeKvm(path: string): Promise<boolean> {
  try {
    await access('/dev/kvm', constants.R_OK | constants.W_OK);
  } catch {
    return false;
  }
  return new Promise((resolve) => {
    const child = spawn(path, ['-machine', 'accel=kvm', '-nodefaults', '-display', 'none', '-S', '-m', '16', '-monitor', 'stdio'], {
      stdio: ['pipe', 'ignore', 'pipe'],
    });
    let stderr = '';
    const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
    child.stderr!.on('data', (d) => (stderr += d));
    child.once('error', () => resolve(false));
    child.once('exit', (code) => {
      clearTimeout(timer);
      resolve(code === 0 && !/warning|error/i.test(stderr));
    });
    child.stdin!.on('error', () => {});
    child.stdin!.end('quit\n');
  });
}
