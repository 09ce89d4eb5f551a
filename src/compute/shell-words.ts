/**
 * A command line split into words the way a POSIX shell quotes them, with no expansion and no shell: what GNS3 gets
 * from Python's shlex.split for a Docker node's start command and a QEMU node's options.
 */

export class ShellWordsError extends Error {
  override name = 'ShellWordsError';
}

/**
 * Single quotes keep everything; double quotes keep everything but `\"` and `\\`; a backslash outside quotes escapes
 * the next character. Throws (with shlex's messages) on an unclosed quote or a trailing backslash.
 *
 * @example splitShellWords(`-device "e1000,id=a b" -S`) // ['-device', 'e1000,id=a b', '-S']
 */
export function splitShellWords(text: string): string[] {
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
    } else if (ch === '\\') {
      if (i + 1 >= text.length) throw new ShellWordsError('No escaped character');
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
  if (quote) throw new ShellWordsError('No closing quotation');
  if (inWord) words.push(word);
  return words;
}
