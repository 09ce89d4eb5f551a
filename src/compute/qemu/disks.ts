/** Linked clones: a qcow2 overlay per disk in the node directory, backed by the untouched base image. */
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { appendFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { resolveExecutable } from '../../process/executable.ts';
import { fail } from '../../errors/index.ts';

type ImageInfo = { format: string; 'backing-filename'?: string; 'full-backing-filename'?: string };

/** qemu-img from the same folder as the emulator (as GNS3 picks it), else from PATH. */
export async function findQemuImg(qemuPath: string): Promise<string> {
  const sibling = join(dirname(qemuPath), 'qemu-img');
  if (existsSync(sibling)) return sibling;
  const onPath = await resolveExecutable('qemu-img');
  if (!onPath) throw fail('QEMU_IMG_NOT_FOUND');
  return onPath;
}

/**
 * Runs qemu-img with an argument vector (never through a shell); a failure is a 409 QemuError carrying its stderr.
 * `log`, when given, receives the command and its output (the node's `qemu-img.log`).
 */
export function qemuImg(binary: string, args: string[], log?: string, timeoutMs = 60_000): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(binary, args, { timeout: timeoutMs }, async (err, stdout, stderr) => {
      if (log) await appendFile(log, `${binary} ${args.join(' ')}\n${stdout}${stderr}`).catch(() => {});
      if (err) reject(fail('QEMU_IMG_FAILED', args[0], (stderr || err.message).trim()));
      else resolve(stdout);
    });
  });
}

/** Format and backing file of an image (`-U`: the image may be in use by a running VM). */
export async function imageInfo(binary: string, image: string, log?: string): Promise<ImageInfo> {
  return JSON.parse(await qemuImg(binary, ['info', '-U', '--output=json', image], log)) as ImageInfo;
}

/**
 * Returns the overlay `<nodeDir>/<drive>_disk.qcow2` for `base`, creating it on first use. If the base moved since
 * (e.g. a project opened on another agent), the overlay is pointed at the current path without touching its data.
 */
export async function linkedClone(binary: string, base: string, nodeDir: string, drive: string): Promise<string> {
  const overlay = join(nodeDir, `${drive}_disk.qcow2`);
  const log = join(nodeDir, 'qemu-img.log');
  const { format } = await imageInfo(binary, base, log);
  if (!existsSync(overlay)) {
    await qemuImg(binary, ['create', '-f', 'qcow2', '-F', format, '-b', base, overlay], log);
    return overlay;
  }
  const current = await imageInfo(binary, overlay, log);
  const backing = current['full-backing-filename'] ?? current['backing-filename'];
  if (backing !== base) await qemuImg(binary, ['rebase', '-u', '-F', format, '-b', base, overlay], log);
  return overlay;
}

/** Whether a qcow2 disk holds the internal snapshot `name` (for `-loadvm` after an on_close save_vm_state). */
export async function hasSnapshot(binary: string, disk: string, name: string, log: string): Promise<boolean> {
  const listing = await qemuImg(binary, ['snapshot', '-U', '-l', disk], log);
  return listing.split('\n').some((line) => line.trim().split(/\s+/)[1] === name);
}
