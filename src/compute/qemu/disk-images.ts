/**
 * Blank disk images and disk growth with qemu-img: `POST /qemu/img` (create), `PUT /qemu/img` (extend) and a node's
 * `resize_disk`. Paths from clients are confined to the QEMU images folder; qemu-img always gets an argument vector.
 */
import { access, constants, lstat, mkdir, realpath, stat } from 'node:fs/promises';
import { basename, dirname, isAbsolute, relative, sep } from 'node:path';
import type { QemuImageCreate } from './schemas.ts';
import { resolveInside } from '../../storage/safe-path.ts';
import { resolveExecutable } from '../../process/executable.ts';
import { imageInfo, qemuImg } from './disks.ts';
import { fail } from '../../errors/index.ts';

/** Creating a preallocated image of many GB takes a while (GNS3 issue #2313); no request should wait forever either. */
const CREATE_TIMEOUT_MS = 30 * 60_000;
const RESIZE_TIMEOUT_MS = 10 * 60_000;

type CreateOption = 'preallocation' | 'cluster_size' | 'refcount_bits' | 'lazy_refcounts' | 'subformat' | 'static' | 'zeroed_grain' | 'adapter_type';

/**
 * The `-o` options each format understands (`qemu-img create -f <fmt> -o help`); GNS3 clients send the whole form,
 * so options of other formats are dropped rather than failing the call. Raw takes `preallocation` from the file layer.
 */
const FORMAT_OPTIONS: Record<string, readonly CreateOption[]> = {
  qcow2: ['preallocation', 'cluster_size', 'refcount_bits', 'lazy_refcounts'],
  qcow: [],
  vpc: ['subformat'],
  vdi: ['static'],
  vmdk: ['subformat', 'adapter_type', 'zeroed_grain'],
  raw: ['preallocation'],
};

/** qemu-img's format name: VHD is called `vpc` there. */
export const qemuImgFormat = (format: string) => (format === 'vhd' ? 'vpc' : format);

/** The `create` argument vector for a validated body and an absolute target path. */
export function createArgs(fields: QemuImageCreate, target: string): string[] {
  const format = qemuImgFormat(fields.format);
  const options = (FORMAT_OPTIONS[format] ?? [])
    .filter((key) => fields[key] !== undefined)
    .flatMap((key) => ['-o', `${key}=${fields[key]}`]);
  return ['create', '-f', format, ...options, target, `${fields.size}M`];
}

/**
 * The qemu-img to run for a `/qemu/img` request: the client's `qemu_img` (GNS3 sends the path it got from
 * `/qemu/img-binaries`) if it exists here, else qemu-img from PATH. Only a program named qemu-img is ever run, so the
 * field cannot be used to start arbitrary binaries.
 */
export async function requestedQemuImg(requested: string | undefined): Promise<string> {
  if (requested !== undefined && basename(requested).replace(/\.exe$/i, '') !== 'qemu-img') {
    throw fail('QEMU_IMG_NOT_QEMU_IMG', requested);
  }
  // A name is looked up on PATH; a path must be absolute (never relative to the daemon's working folder).
  if (requested !== undefined && !isAbsolute(requested) && /[\\/]/.test(requested)) {
    throw fail('QEMU_IMG_PATH_RELATIVE', requested);
  }
  for (const candidate of [requested, 'qemu-img']) {
    if (!candidate) continue;
    const path = await resolveExecutable(candidate);
    if (!path) continue;
    try {
      await access(path, constants.X_OK);
      return path;
    } catch {
      // Not executable; try the next one.
    }
  }
  throw fail('QEMU_IMG_NOT_FOUND');
}

const inside = (root: string, path: string) => {
  const rel = relative(root, path);
  return rel === '' || (rel !== '..' && !rel.startsWith(`..${sep}`) && !isAbsolute(rel));
};

/**
 * Absolute path of a client's image path: relative to the QEMU images folder, or absolute inside it; anything else,
 * including a symlink or folder link leading out of it, is 403.
 */
async function confined(dir: string, untrusted: string, mustExist: boolean): Promise<string> {
  const target = resolveInside(dir, untrusted);
  await mkdir(dir, { recursive: true });
  const realDir = await realpath(dir);
  let probe = mustExist ? target : dirname(target);
  if (!mustExist) {
    // The nearest existing ancestor decides (missing folders are created below it).
    while (!(await exists(probe)) && probe !== dir) probe = dirname(probe);
  }
  if (!(await exists(probe))) return target;
  if (!inside(realDir, await realpath(probe))) throw fail('PATH_FORBIDDEN');
  return target;
}

async function exists(path: string): Promise<boolean> {
  try {
    await stat(path);
    return true;
  } catch {
    return false;
  }
}

/** `POST /qemu/img`: a new blank image under the QEMU images folder; an existing file is never overwritten. */
export async function createImage(dir: string, fields: QemuImageCreate): Promise<string> {
  const target = await confined(dir, fields.path, false);
  // lstat: a dangling symlink counts as existing, or qemu-img would write through it.
  if (await lstat(target).then(() => true, () => false)) throw fail('QEMU_DISK_EXISTS', fields.path);
  const binary = await requestedQemuImg(fields.qemu_img);
  await mkdir(dirname(target), { recursive: true });
  await qemuImg(binary, createArgs(fields, target), undefined, CREATE_TIMEOUT_MS);
  return target;
}

/** `PUT /qemu/img` with `extend`: grows an image of the QEMU images folder by `extendMb` MB. */
export async function extendImage(dir: string, path: string, extendMb: number, requested: string | undefined): Promise<string> {
  const target = resolveInside(dir, path);
  if (!(await exists(target))) throw fail('QEMU_DISK_MISSING', path);
  await confined(dir, path, true);
  await growDisk(await requestedQemuImg(requested), target, extendMb);
  return target;
}

/** `qemu-img resize -f <fmt> <disk> +<n>M`; the format is read first so raw images are not probed with a warning. */
export async function growDisk(binary: string, disk: string, extendMb: number, log?: string): Promise<void> {
  const { format } = await imageInfo(binary, disk, log);
  await qemuImg(binary, ['resize', '-f', format, disk, `+${extendMb}M`], log, RESIZE_TIMEOUT_MS);
}
