/**
 * The folder every Docker node container sees read-only at /gns3: our init script, an empty `bin/busybox` onto which
 * the host's static busybox is bind-mounted, and one symlink per busybox applet. Written once per agent into its
 * state directory (the shipped script may live inside a compiled binary, which Docker cannot bind-mount).
 */
import { execFile } from 'node:child_process';
import { open, mkdir, readFile, readdir, rm, symlink, writeFile, chmod, access, constants } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { fileURLToPath } from 'node:url';
import { fail, isError } from '../../errors/index.ts';

const run = promisify(execFile);
const INIT_SCRIPT = fileURLToPath(new URL('./resources/init.sh', import.meta.url));

const PT_INTERP = 3;

/** True when `buffer` is an ELF executable without an interpreter (statically linked). */
export function isStaticElf(buffer: Uint8Array): boolean {
  if (buffer.length < 64 || buffer[0] !== 0x7f || buffer[1] !== 0x45 || buffer[2] !== 0x4c || buffer[3] !== 0x46) return false;
  const view = new DataView(buffer.buffer, buffer.byteOffset, buffer.byteLength);
  const is64 = buffer[4] === 2;
  const little = buffer[5] === 1;
  const phoff = is64 ? Number(view.getBigUint64(0x20, little)) : view.getUint32(0x1c, little);
  const phentsize = view.getUint16(is64 ? 0x36 : 0x2a, little);
  const phnum = view.getUint16(is64 ? 0x38 : 0x2c, little);
  if (phoff + phentsize * phnum > buffer.length) return false;
  for (let i = 0; i < phnum; i++) {
    if (view.getUint32(phoff + i * phentsize, little) === PT_INTERP) return false;
  }
  return true;
}

async function checkStaticBusybox(path: string): Promise<void> {
  let head: Uint8Array;
  try {
    const handle = await open(path, 'r');
    try {
      head = new Uint8Array(4096);
      await handle.read(head, 0, head.length, 0);
    } finally {
      await handle.close();
    }
  } catch {
    throw fail('DOCKER_BUSYBOX_MISSING', path);
  }
  if (!isStaticElf(head)) {
    throw fail('DOCKER_BUSYBOX_NOT_STATIC', path);
  }
}

export type Resources = { dir: string; busybox: string };

/** Writes the resources folder (idempotent; applets follow the busybox in use). */
export async function prepareResources(dir: string, busybox: string): Promise<Resources> {
  await checkStaticBusybox(busybox);
  try {
    await writeResources(dir, busybox);
  } catch (err) {
    if (isError(err)) throw err;
    throw fail('DOCKER_RESOURCES_FAILED', dir, (err as Error).message);
  }
  return { dir, busybox };
}

async function writeResources(dir: string, busybox: string): Promise<void> {
  const bin = join(dir, 'bin');
  await mkdir(bin, { recursive: true, mode: 0o755 });
  await writeFile(join(dir, 'init.sh'), await readFile(INIT_SCRIPT));
  await chmod(join(dir, 'init.sh'), 0o755);
  const { stdout } = await run(busybox, ['--list']);
  const applets = stdout.split('\n').map((a) => a.trim()).filter((a) => /^[a-z0-9_.[-]+$/.test(a) && a !== 'busybox');
  for (const name of await readdir(bin)) if (name !== 'busybox' && !applets.includes(name)) await rm(join(bin, name));
  await writeFile(join(bin, 'busybox'), '', { mode: 0o755 });
  for (const applet of applets) {
    try {
      await access(join(bin, applet), constants.F_OK);
    } catch {
      await symlink('busybox', join(bin, applet));
    }
  }
}
