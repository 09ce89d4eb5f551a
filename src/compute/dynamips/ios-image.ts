/** The check gns3-server runs before starting a router: the IOS image must be a 32-bit big-endian ELF file. */
import { lstat, open, readlink, stat } from 'node:fs/promises';
import { fail, type PatchbayError } from '../../errors/index.ts';

/** `\x7fELF`, ELFCLASS32, ELFDATA2MSB, EV_CURRENT: what every Cisco IOS image starts with. */
export const IOS_ELF_HEADER = Buffer.from([0x7f, 0x45, 0x4c, 0x46, 0x01, 0x02, 0x01]);

/** Why `path` cannot be booted by Dynamips (gns3-server's messages), or null if it can. */
export async function iosImageProblem(path: string): Promise<PatchbayError | null> {
  let isFile = false;
  try {
    isFile = (await stat(path)).isFile();
  } catch {
    // Missing, or a dangling link: told apart below.
  }
  if (!isFile) {
    const link = await lstat(path).then((info) => info.isSymbolicLink(), () => false);
    if (link) {
      return fail('IOS_IMAGE_LINK_NOT_ACCESSIBLE', path, await readlink(path).catch(() => path));
    }
    return fail('IOS_IMAGE_NOT_ACCESSIBLE', path);
  }
  let head: Buffer;
  try {
    const handle = await open(path, 'r');
    try {
      head = Buffer.alloc(IOS_ELF_HEADER.length);
      const { bytesRead } = await handle.read(head, 0, head.length, 0);
      head = head.subarray(0, bytesRead);
    } finally {
      await handle.close();
    }
  } catch (err) {
    return fail('IOS_IMAGE_UNREADABLE', path, (err as Error).message);
  }
  if (!head.equals(IOS_ELF_HEADER)) return fail('IOS_IMAGE_INVALID', path);
  return null;
}
