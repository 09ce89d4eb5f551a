/**
 * Which V8/Node flags the user started this process with (command line or NODE_OPTIONS), and run-time tuning that
 * defers to them.
 */
import process from 'node:process';
import v8 from 'node:v8';
import { isDeno } from './index.ts';

/** Whether `flag` (e.g. `--no-opt`, with or without `=value`; V8 reads `_` and `-` alike) was given at start. */
export function givenByUser(flag: string): boolean {
  const name = (arg: string) => arg.split('=')[0]!.replaceAll('_', '-');
  return [...process.execArgv, ...(process.env.NODE_OPTIONS ?? '').split(/\s+/)].some((arg) => name(arg) === name(flag));
}

/**
 * Sets V8's `flag` to `value` from code unless the user gave it at start.
 * Node only: Deno freezes V8's flags once it runs.
 */
export function setV8FlagUnlessGiven(flag: string, value: number): void {
  if (isDeno || givenByUser(flag)) return;
  v8.setFlagsFromString(`${flag}=${value}`);
}
