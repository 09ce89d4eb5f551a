/** The user's extra QEMU `options`: shell-style splitting (no shell involved), normalisation, placeholders, safety check. */

/**
 * Splits `text` into words the way a POSIX shell would for quoting purposes only: single quotes keep everything,
 * double quotes keep everything but `\"` and `\\`, a backslash outside quotes escapes the next character.
 * No expansion of any kind happens. Throws on an unterminated quote.
 *
 * @example splitOptions(`-device "e1000,id=a b" -S`) // ['-device', 'e1000,id=a b', '-S']
 */
export function splitOptions(text: string): string[] {
  const words: string[] = [];
  let word = '';
  let inWord = false;
  let quote: "'" | '"' | null = null;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i]!;
    if (quote === "'") {
      if (ch === "'") quote = null;
      else word += ch;
    } else if (quote === '"') {
      if (ch === '"') quote = null;
      else if (ch === '\\' && (text[i + 1] === '"' || text[i + 1] === '\\')) word += text[++i];
      else word += ch;
    } else if (ch === "'" || ch === '"') {
      quote = ch;
      inWord = true;
    } else if (ch === '\\' && i + 1 < text.length) {
      word += text[++i];
      inWord = true;
    } else if (/\s/.test(ch)) {
      if (inWord) words.push(word);
      word = '';
      inWord = false;
    } else {
      word += ch;
      inWord = true;
    }
  }
  if (quote) throw new Error(`Unterminated ${quote} quote in options`);
  if (inWord) words.push(word);
  return words;
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
