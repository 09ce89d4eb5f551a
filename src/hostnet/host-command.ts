/**
 * Runs host networking tools (`ip`, `nft`, ...) from an argument vector: never a shell, bounded in time, with the
 * capabilities the service was granted (emulators get none, see process/capabilities.ts).
 */
import { spawn } from 'node:child_process';
import { withGrantedCapabilities } from '../process/capabilities.ts';

/** A host tool that could not be started, failed or timed out; `stderr` carries the tool's own explanation. */
export class HostCommandError extends Error {
  readonly argv: readonly string[];
  readonly stderr: string;
  readonly exitCode: number | null;

  constructor(argv: readonly string[], exitCode: number | null, stderr: string, reason?: string) {
    const detail = reason ?? (stderr.trim() || `exit code ${exitCode}`);
    super(`${argv.join(' ')}: ${detail}`);
    this.name = 'HostCommandError';
    this.argv = argv;
    this.stderr = stderr;
    this.exitCode = exitCode;
  }
}

export type HostCommandOptions = { timeoutMs?: number };

/**
 * Runs `file` with `args` and resolves with its standard output; rejects with a HostCommandError on a non-zero exit.
 *
 * @example
 * await runHostCommand('ip', ['link', 'set', 'dev', 'pb0', 'up']);
 */
export function runHostCommand(file: string, args: readonly string[], options: HostCommandOptions = {}): Promise<string> {
  const argv = [file, ...args];
  return new Promise((resolve, reject) => {
    const child = withGrantedCapabilities(() => spawn(file, args, { stdio: ['ignore', 'pipe', 'pipe'], timeout: options.timeoutMs ?? 10_000 }));
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    child.once('error', (err) => reject(new HostCommandError(argv, null, stderr, err.message)));
    child.once('close', (code, signal) => {
      if (code === 0) resolve(stdout);
      else reject(new HostCommandError(argv, code, stderr, signal ? `killed by ${signal}` : undefined));
    });
  });
}
