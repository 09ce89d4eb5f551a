/**
 * Test images for Dynamips: tiny ELF32 big-endian programs assembled from test/dynamips/images/*.S with the MIPS and
 * PowerPC binutils (Debian: binutils-mips-linux-gnu, binutils-powerpc-linux-gnu). They print a banner on the router
 * console and idle; a real Cisco IOS image cannot be used here.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Platform } from '../../src/compute/dynamips/platforms.ts';
import { ROOT, VENDOR_BIN } from '../helpers/daemon.ts';

export const DYNAMIPS = join(VENDOR_BIN, 'dynamips-0.2.24');
export const BANNER = 'patchbay test image';

export type TestImage = { file: string; name: string; /** Address of the idle loop: a perfect idle-PC value. */ idlePc: string };

const SOURCES = join(ROOT, 'test', 'dynamips', 'images');

/** The three images: MIPS (c7200 flavour echoes the console), MIPS, PowerPC. */
function assemble(dir: string, arch: 'mips' | 'powerpc', name: string, defines: string[]): TestImage {
  const object = join(dir, `${name}.o`);
  const file = join(dir, name);
  const source = join(SOURCES, arch === 'mips' ? 'mips.S' : 'ppc.S');
  execFileSync(`${arch}-linux-gnu-as`, [...defines.flatMap((d) => ['--defsym', d]), '-o', object, source]);
  // ABI notes would become extra LOAD segments far from 0x80008000.
  execFileSync(`${arch}-linux-gnu-objcopy`, ['-R', '.MIPS.abiflags', '-R', '.reginfo', '-R', '.gnu.attributes', object]);
  execFileSync(`${arch}-linux-gnu-ld`, ['-N', '--no-warn-rwx-segments', '-Ttext=0x80008000', '-e', '_start', '-o', file, object]);
  const symbols = execFileSync(`${arch}-linux-gnu-nm`, [file], { encoding: 'utf8' });
  // MIPS symbols print sign-extended (16 digits), as Dynamips reports the PC of its 64-bit MIPS CPU.
  const idle = /^([0-9a-f]{8}|[0-9a-f]{16}) T idle$/m.exec(symbols)![1]!;
  return { file, name, idlePc: `0x${idle}` };
}

let built: Record<'echo' | 'mips' | 'ppc', TestImage> | undefined;

/** Builds the images once per test process into a temporary folder, removed when the process exits. */
export function testImages(): Record<'echo' | 'mips' | 'ppc', TestImage> {
  if (built) return built;
  const dir = mkdtempSync(join(tmpdir(), 'dyn-images-'));
  process.on('exit', () => rmSync(dir, { recursive: true, force: true }));
  built = {
    echo: assemble(dir, 'mips', 'c7200-test.image', ['ECHO=1']),
    mips: assemble(dir, 'mips', 'mips-test.image', ['ECHO=0']),
    ppc: assemble(dir, 'powerpc', 'ppc-test.image', []),
  };
  return built;
}

export const imageFor = (platform: Platform): keyof ReturnType<typeof testImages> =>
  platform === 'c7200' ? 'echo' : platform === 'c2600' || platform === 'c1700' ? 'ppc' : 'mips';
