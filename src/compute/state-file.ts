/**
 * The agent's state file: which agent owns the state directory and which emulator processes it runs (pid, start time,
 * process group, argv, ports). Rewritten atomically on every spawn and exit, so that after a crash or SIGKILL the next
 * agent knows exactly what to reap (see reaper.ts).
 */
import * as v from 'valibot';
import { mkdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import process from 'node:process';
import { describeIssues } from '../errors/validation.ts';
import { HostObject } from '../hostnet/ledger.ts';
import { atomicWrite } from '../storage/atomic-write.ts';
import { startTimeOf } from '../process/process-table.ts';
import { runningProcesses, watchProcesses, type Supervised } from '../process/supervised.ts';

const ProcessRecord = v.strictObject({
  pid: v.pipe(v.number(), v.integer(), v.minValue(2)),
  start_time: v.nullable(v.string()),
  pgid: v.pipe(v.number(), v.integer(), v.minValue(2)),
  argv: v.array(v.string()),
  /** Ports of the agent's ranges that appear on the command line (tunnels, internal console). */
  ports: v.array(v.pipe(v.number(), v.integer())),
  node_id: v.nullable(v.string()),
  project_id: v.nullable(v.string()),
});
export type ProcessRecord = v.InferOutput<typeof ProcessRecord>;

const AgentRecord = v.strictObject({ pid: v.pipe(v.number(), v.integer()), start_time: v.nullable(v.string()) });

export const AgentState = v.strictObject({
  version: v.literal(1),
  /** The agent owning the directory; null after a clean shutdown. */
  agent: v.nullable(AgentRecord),
  processes: v.array(ProcessRecord),
  /** Bridges, TAP devices, nftables tables and helper processes the agent made (absent in older files). */
  host_objects: v.optional(v.array(HostObject), []),
});
export type AgentState = v.InferOutput<typeof AgentState>;

export const STATE_FILE = 'agent-state.json';

export class StateFileError extends Error {}

/** Reads the state file; a missing file is an empty state, a corrupt one an error naming the problem. */
export async function readState(dir: string): Promise<AgentState> {
  const file = join(dir, STATE_FILE);
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return { version: 1, agent: null, processes: [], host_objects: [] };
    throw new StateFileError(`Cannot read state file ${file}: ${(err as Error).message}`);
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (err) {
    throw new StateFileError(`State file ${file} is not JSON: ${(err as Error).message}`);
  }
  const result = v.safeParse(AgentState, parsed);
  if (!result.success) throw new StateFileError(`State file ${file} is invalid: ${describeIssues(result.issues)}`);
  return result.output;
}

export type NodeOfProcess = (proc: Supervised) => { nodeId: string; projectId: string } | null;

export type StateRecorderOptions = {
  dir: string;
  /** Port ranges of the agent: numbers on an emulator's command line within them are recorded as its ports. */
  ranges: ReadonlyArray<readonly [number, number]>;
  /** Which node a process belongs to; processes of no node of this agent (another daemon in the process) are ignored. */
  nodeOf: NodeOfProcess;
};

/** Keeps the state file in step with the running emulators until `close()`. */
export class StateRecorder {
  readonly #options: StateRecorderOptions;
  readonly #self: AgentState['agent'];
  readonly #records = new Map<Supervised, ProcessRecord>();
  #hostObjects: HostObject[] = [];
  #unwatch: () => void = () => {};
  #queue: Promise<void> = Promise.resolve();
  #pending = false;
  #onError: (err: Error) => void = () => {};

  private constructor(options: StateRecorderOptions) {
    this.#options = options;
    this.#self = { pid: process.pid, start_time: startTimeOf(process.pid) };
  }

  /** Claims the directory for this agent and starts recording. */
  static async start(options: StateRecorderOptions): Promise<StateRecorder> {
    await mkdir(options.dir, { recursive: true, mode: 0o750 });
    const recorder = new StateRecorder(options);
    recorder.#unwatch = watchProcesses((event, proc) => recorder.#onProcess(event, proc));
    for (const proc of runningProcesses()) recorder.#onProcess('spawn', proc);
    await recorder.flush();
    return recorder;
  }

  get file(): string {
    return join(this.#options.dir, STATE_FILE);
  }

  #onProcess(event: 'spawn' | 'exit', proc: Supervised): void {
    if (event === 'exit') {
      if (!this.#records.delete(proc)) return;
    } else {
      const node = this.#options.nodeOf(proc);
      if (!node) return;
      const argv = [proc.file, ...proc.args];
      const inRange = (n: number) => this.#options.ranges.some(([start, end]) => n >= start && n <= end);
      this.#records.set(proc, {
        pid: proc.pid,
        start_time: startTimeOf(proc.pid),
        // Spawned detached: the emulator leads its own process group.
        pgid: proc.pid,
        argv,
        ports: argv.filter((arg) => /^\d{1,5}$/.test(arg)).map(Number).filter(inRange),
        node_id: node.nodeId,
        project_id: node.projectId,
      });
    }
    void this.flush();
  }

  /** Writes the current state; concurrent calls coalesce into at most one more write. */
  flush(agent: AgentState['agent'] = this.#self): Promise<void> {
    if (this.#pending) return this.#queue;
    this.#pending = true;
    this.#queue = this.#queue.then(async () => {
      this.#pending = false;
      const state: AgentState = { version: 1, agent, processes: [...this.#records.values()], host_objects: this.#hostObjects };
      await atomicWrite(this.file, `${JSON.stringify(state, null, 2)}\n`);
    }).catch((err) => {
      // A full disk must not take the agent down; the next change retries.
      this.#onError(err as Error);
    });
    return this.#queue;
  }

  /** Records the agent's host objects (the HostNetwork ledger); resolves once they are on disk. */
  setHostObjects(objects: readonly HostObject[]): Promise<void> {
    this.#hostObjects = [...objects];
    return this.flush();
  }

  /** Called when a write fails (logged by the daemon). */
  onError(listener: (err: Error) => void): void {
    this.#onError = listener;
  }

  /**
   * Stops recording and marks a clean shutdown; a process or host object that survived the shutdown stays listed for
   * the reaper.
   */
  async close(): Promise<void> {
    this.#unwatch();
    await this.#queue;
    this.#pending = false;
    await this.flush(null);
  }
}
