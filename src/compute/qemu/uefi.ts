/** UEFI firmware for `uefi: true`: the system OVMF code image and a per-node copy of its variable store. */
import { existsSync } from 'node:fs';
import { copyFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fail } from '../../errors/index.ts';

/** Code/vars pairs as Debian's `ovmf` package installs them, newest layout first. */
const OVMF_PAIRS = [
  ['/usr/share/OVMF/OVMF_CODE_4M.fd', '/usr/share/OVMF/OVMF_VARS_4M.fd'],
  ['/usr/share/OVMF/OVMF_CODE.fd', '/usr/share/OVMF/OVMF_VARS.fd'],
  ['/usr/share/edk2/ovmf/OVMF_CODE.fd', '/usr/share/edk2/ovmf/OVMF_VARS.fd'],
] as const;

/** Finds OVMF and makes sure the node has its own writable `OVMF_VARS.fd` (kept across restarts, like a NVRAM). */
export async function prepareUefi(nodeDir: string): Promise<{ code: string; vars: string }> {
  const pair = OVMF_PAIRS.find(([code, vars]) => existsSync(code) && existsSync(vars));
  if (!pair) throw fail('QEMU_OVMF_MISSING');
  const vars = join(nodeDir, 'OVMF_VARS.fd');
  if (!existsSync(vars)) await copyFile(pair[1], vars);
  return { code: pair[0], vars };
}
