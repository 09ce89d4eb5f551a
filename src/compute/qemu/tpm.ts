/** A software TPM for `tpm: true`: one `swtpm` process per running VM, state kept in the node directory. */
import { closeSync, existsSync, openSync } from 'node:fs';
import { mkdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { Supervised } from '../../process/supervised.ts';
import { resolveExecutable } from '../../process/executable.ts';
import { fail } from '../../errors/index.ts';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Starts swtpm on a unix socket in the node directory and waits for the socket to appear. */
export async function startSwtpm(nodeDir: string): Promise<{ process: Supervised; socket: string }> {
  const swtpm = await resolveExecutable('swtpm');
  if (!swtpm) throw fail('QEMU_SWTPM_MISSING');
  const state = join(nodeDir, 'tpm-state');
  const socket = join(nodeDir, 'swtpm.sock');
  await mkdir(state, { recursive: true });
  // A socket left by a previous run would make the wait below return before swtpm listens.
  await rm(socket, { force: true });
  const log = openSync(join(nodeDir, 'swtpm.log'), 'w');
  let process: Supervised;
  try {
    process = await Supervised.spawn(swtpm, [
      'socket', '--tpm2', '--tpmstate', `dir=${state}`, '--ctrl', `type=unixio,path=${socket}`, '--terminate',
    ], { cwd: nodeDir, output: log });
  } finally {
    closeSync(log);
  }
  for (let i = 0; i < 50 && !existsSync(socket); i++) await sleep(100);
  if (!existsSync(socket)) {
    await process.stop();
    throw fail('QEMU_SWTPM_TIMEOUT');
  }
  return { process, socket };
}
