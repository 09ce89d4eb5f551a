/** The user's extra QEMU `options`: shell-style splitting (no shell involved), normalisation, placeholders, safety check. */
import { ShellWordsError, splitShellWords } from '../shell-words.ts';

/**
 * The options as words (shell quoting, no expansion, no shell). Throws on an unclosed quote or a trailing backslash.
 *
 * @example splitOptions(`-device "e1000,id=a b" -S`) // ['-device', 'e1000,id=a b', '-S']
 */
export function splitOptions(text: string): string[] {
  try {
    return splitShellWords(text);
  } catch (err) {
    throw err instanceof ShellWordsError ? new Error(`Unterminated quote or escape in options: ${err.message}`) : err;
  }
}

/** Options that would give the guest disks or networks the agent does not manage (GNS3's unsafe list). */
const FORBIDDEN = new Set(['-blockdev', '-drive', '-hda', '-hdb', '-hdc', '-hdd', '-fsdev', '-virtfs', '-nic', '-netdev']);

/** Returns the first forbidden option in `args` (`-x` or `--x` form), or null. */
export function forbiddenOption(args: readonly string[]): string | null {
  for (const arg of args) {
    const name = arg.startsWith('--') ? arg.slice(1) : arg;
    if (FORBIDDEN.has(name.split('=')[0]!)) return arg;
  }
  return null;
}

/**
 * Rewrites obsolete acceleration flags as GNS3 does when options are set: `-no-kvm`/`-no-hax` become
 * `-machine accel=tcg`, `-enable-kvm` becomes `-machine accel=kvm` (Linux), `-enable-hax` (Windows only) is dropped.
 */
export function normaliseOptions(options: string): string {
  return options
    .replace(/(^|\s)-no-(kvm|hax)(?=\s|$)/g, '$1-machine accel=tcg')
    .replace(/(^|\s)-enable-kvm(?=\s|$)/g, '$1-machine accel=kvm')
    .replace(/(^|\s)-enable-hax(?=\s|$)/g, '')
    .trim();
}

export type Placeholders = {
  vmName: string;
  vmId: string;
  projectId: string;
  projectPath: string;
  consolePort: number | null;
  guestCid: number;
};

/** Substitutes GNS3's `%vm-name%`, `%vm-id%`, `%project-id%`, `%project-path%`, `%guest-cid%`, `%console-port%`. */
export function substitutePlaceholders(options: string, p: Placeholders): string {
  return options
    .replaceAll('%vm-name%', p.vmName)
    .replaceAll('%vm-id%', p.vmId)
    .replaceAll('%project-id%', p.projectId)
    .replaceAll('%project-path%', p.projectPath)
    .replaceAll('%guest-cid%', String(p.guestCid))
    .replaceAll('%console-port%', p.consolePort === null ? '' : String(p.consolePort));
}

/** True when the options pick TCG explicitly (`-machine accel=tcg`, `-M pc,accel=tcg`, `-accel tcg`), which rules out KVM. */
export function forcesTcg(args: readonly string[]): boolean {
  for (let i = 0; i + 1 < args.length; i++) {
    const flag = args[i];
    const value = args[i + 1]!;
    if ((flag === '-machine' || flag === '-M') && /(^|,)accel=tcg(,|:|$)/.test(value)) return true;
    if (flag === '-accel' && /^tcg(,|$)/.test(value)) return true;
  }
  return false;
}
