/** A tiny Linux guest for QEMU tests: the host's kernel plus a busybox initramfs written here as a newc cpio. */
import { existsSync, readdirSync, readFileSync } from 'node:fs';

type Entry = { name: string; mode: number; data?: Buffer; rdev?: [number, number] };

const S_IFDIR = 0o040000;
const S_IFREG = 0o100000;
const S_IFCHR = 0o020000;

const pad4 = (n: number) => (4 - (n % 4)) % 4;

/** Serialises entries as a newc ("070701") cpio archive, the format the kernel unpacks as initramfs. */
export function newcArchive(entries: Entry[]): Buffer {
  const parts: Buffer[] = [];
  const push = (entry: Entry, ino: number) => {
    const data = entry.data ?? Buffer.alloc(0);
    const name = Buffer.from(`${entry.name}\0`);
    const fields = [
      ino, entry.mode, 0, 0, entry.mode & S_IFDIR ? 2 : 1, 0, data.length, 0, 0,
      entry.rdev?.[0] ?? 0, entry.rdev?.[1] ?? 0, name.length, 0,
    ];
    const header = Buffer.from(`070701${fields.map((f) => f.toString(16).padStart(8, '0')).join('')}`, 'ascii');
    parts.push(header, name, Buffer.alloc(pad4(header.length + name.length)), data, Buffer.alloc(pad4(data.length)));
  };
  entries.forEach((entry, i) => push(entry, i + 1));
  push({ name: 'TRAILER!!!', mode: 0 }, 0);
  return Buffer.concat(parts);
}

/**
 * `/init`: mounts the kernel filesystems, loads the e1000 driver, sets the address given as `pbip=` on the kernel
 * command line, prints a marker and leaves a shell on the serial console.
 */
const INIT = `#!/bin/busybox sh
/bin/busybox --install -s
mount -t proc proc /proc
mount -t sysfs sys /sys
mount -t devtmpfs dev /dev
insmod /lib/e1000.ko
ip=$(sed -n 's/.*pbip=\\([0-9./]*\\).*/\\1/p' /proc/cmdline)
ip link set lo up
ip link set eth0 up
ip addr add "$ip" dev eth0
echo "PATCHBAY-READY $ip"
exec setsid cttyhack sh
`;

export function kernelPath(): string {
  const kernel = readdirSync('/boot').filter((f) => f.startsWith('vmlinuz-')).sort().at(-1);
  if (!kernel) throw new Error('no /boot/vmlinuz-* (apt-get install linux-image-amd64)');
  return `/boot/${kernel}`;
}

/** The e1000 module matching the kernel, which Debian builds as a module. */
function e1000Module(kernel: string): Buffer {
  const release = kernel.replace('/boot/vmlinuz-', '');
  const path = `/lib/modules/${release}/kernel/drivers/net/ethernet/intel/e1000/e1000.ko`;
  if (!existsSync(path)) throw new Error(`missing ${path}`);
  return readFileSync(path);
}

export function buildInitramfs(kernel = kernelPath()): Buffer {
  const busybox = ['/bin/busybox', '/usr/bin/busybox'].find(existsSync);
  if (!busybox) throw new Error('busybox not found (apt-get install busybox-static)');
  return newcArchive([
    ...['bin', 'sbin', 'usr', 'usr/bin', 'usr/sbin', 'proc', 'sys', 'dev', 'lib'].map((name) => ({ name, mode: S_IFDIR | 0o755 })),
    // The kernel opens /dev/console for init before devtmpfs is mounted.
    { name: 'dev/console', mode: S_IFCHR | 0o600, rdev: [5, 1] },
    { name: 'bin/busybox', mode: S_IFREG | 0o755, data: readFileSync(busybox) },
    { name: 'lib/e1000.ko', mode: S_IFREG | 0o644, data: e1000Module(kernel) },
    { name: 'init', mode: S_IFREG | 0o755, data: Buffer.from(INIT) },
  ]);
}
