/** Which V8/Node flags the user started this process with (command line or NODE_OPTIONS), so run-time tuning defers to them. */
import process from 'node:process';

/** Whether `flag` (e.g. `--no-opt`, with or without `=value`; V8 reads `_` and `-` alike) was given at start. */
export function givenByUser(flag: string): boolean {
  const name = (arg: string) => arg.split('=')[0]!.replaceAll('_', '-');
  return [...process.execArgv, ...(process.env.NODE_OPTIONS ?? '').split(/\s+/)].some((arg) => name(arg) === name(flag));
}
