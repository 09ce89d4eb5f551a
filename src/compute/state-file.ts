/**
 * The agent's state file: which agent owns the state directory and which emulator processes it runs (pid, start time,
 * process group, argv, ports), so that after a crash or SIGKILL the next agent knows exactly what to reap (see
 * reaper.ts). Each spawn and exit is one line appended to a journal beside the snapshot; the snapshot is rewritten
 * atomically at start and close, when host objects change and when the journal has grown past the records it holds.
 *
 * The journal is not fsynced: it has to outlive the agent, not the host, and after a power loss or a kernel crash
 * none of the processes it lists runs any more. What a write(2) put in the page cache survives a SIGKILL.
 */
import * as v from 'valibot';
import { mkdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import process from 'node:process';
import { describeIssues } from '../errors/validation.ts';
import { HostObject } from '../hostnet/ledger.ts';
import { readJournals, SnapshotJournal } from '../storage/snapshot-journal.ts';
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
  /** The generation of the journal that continues this snapshot (absent in older files: none). */
  journal: v.optional(v.pipe(v.number(), v.integer(), v.minValue(1))),
});
export type AgentState = v.InferOutput<typeof AgentState>;

/** A pid with its start time names one process, even once the pid is reused. */
const ProcessKey = v.strictObject({ pid: ProcessRecord.entries.pid, start_time: ProcessRecord.entries.start_time });

/** Journal lines: a process the agent spawned, or one that exited. */
const SpawnLine = v.strictObject({ spawn: ProcessRecord });
const ExitLine = v.strictObject({ exit: ProcessKey });

const keyOf = (p: v.InferOutput<typeof ProcessKey>) => `${p.pid} ${p.start_time}`;

/** A journal is compacted into the snapshot once it has this many lines more than twice the records it describes. */
const JOURNAL_SLACK = 64;

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
  const state = result.output;
  return state.journal === undefined ? state : { ...state, processes: await replay(file, state.journal, state.processes) };
}

/** The snapshot's processes with the journal's spawns and exits applied in order. */
async function replay(file: string, generation: number, processes: ProcessRecord[]): Promise<ProcessRecord[]> {
  const byKey = new Map(processes.map((p) => [keyOf(p), p]));
  let lines;
  try {
    lines = await readJournals(file, generation);
  } catch (err) {
    throw new StateFileError(`Cannot read the journal of ${file}: ${(err as Error).message}`);
  }
  for (const { text, file: journal, line } of lines) {
    let entry: v.InferOutput<typeof SpawnLine> | v.InferOutput<typeof ExitLine>;
    try {
      const parsed: unknown = JSON.parse(text);
      // Told apart by key first, so that a bad record's issue names its field rather than the union.
      const result = v.safeParse(typeof parsed === 'object' && parsed !== null && 'exit' in parsed ? ExitLine : SpawnLine, parsed);
      if (!result.success) throw new Error(describeIssues(result.issues));
      entry = result.output;
    } catch (err) {
      throw new StateFileError(`Journal ${journal} line ${line} is invalid: ${(err as Error).message}`);
    }
    if ('spawn' in entry) byKey.set(keyOf(entry.spawn), entry.spawn);
    else byKey.delete(keyOf(entry.exit));
  }
  return [...byKey.values()];
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
  /** The agent named in the snapshot: this one while it runs, null once it has shut down cleanly. */
  #agent: AgentState['agent'];
  readonly #journal: SnapshotJournal;
  readonly #records = new Map<Supervised, ProcessRecord>();
  #hostObjects: HostObject[] = [];
  #unwatch: () => void = () => {};
  /** A snapshot failed: every change asks for another until one is on disk. */
  #snapshotDue = false;
  /** The journal's queued snapshot and what this recorder does once it settles, shared by coalesced calls. */
  #snapshot: { written: Promise<void>; settled: Promise<void> } | null = null;
  #onError: (err: Error) => void = () => {};

  private constructor(options: StateRecorderOptions, journal: SnapshotJournal) {
    this.#options = options;
    this.#journal = journal;
    this.#agent = { pid: process.pid, start_time: startTimeOf(process.pid) };
  }

  /** Claims the directory for this agent and starts recording. */
  static async start(options: StateRecorderOptions): Promise<StateRecorder> {
    await mkdir(options.dir, { recursive: true, mode: 0o750 });
    const recorder = new StateRecorder(options, await SnapshotJournal.open(join(options.dir, STATE_FILE)));
    for (const proc of runningProcesses()) recorder.#record(proc);
    recorder.#unwatch = watchProcesses((event, proc) => recorder.#onProcess(event, proc));
    await recorder.flush();
    return recorder;
  }

  get file(): string {
    return this.#journal.file;
  }

  /** Adds a process of one of this agent's nodes to the records and returns its record; null if it is not ours. */
  #record(proc: Supervised): ProcessRecord | null {
    const node = this.#options.nodeOf(proc);
    if (!node) return null;
    const argv = [proc.file, ...proc.args];
    const inRange = (n: number) => this.#options.ranges.some(([start, end]) => n >= start && n <= end);
    const record: ProcessRecord = {
      pid: proc.pid,
      start_time: startTimeOf(proc.pid),
      // Spawned detached: the emulator leads its own process group.
      pgid: proc.pid,
      argv,
      ports: argv.filter((arg) => /^\d{1,5}$/.test(arg)).map(Number).filter(inRange),
      node_id: node.nodeId,
      project_id: node.projectId,
    };
    this.#records.set(proc, record);
    return record;
  }

  #onProcess(event: 'spawn' | 'exit', proc: Supervised): void {
    let line: string;
    if (event === 'exit') {
      const record = this.#records.get(proc);
      if (!record) return;
      this.#records.delete(proc);
      line = JSON.stringify({ exit: { pid: record.pid, start_time: record.start_time } });
    } else {
      const record = this.#record(proc);
      if (!record) return;
      line = JSON.stringify({ spawn: record });
    }
    const journalled = !this.#snapshotDue && this.#journal.append(line);
    if (!journalled || this.#journal.appended > JOURNAL_SLACK + 2 * this.#records.size) void this.flush();
  }

  /** Rewrites the snapshot (and starts a new journal); concurrent calls coalesce into at most one more write. */
  flush(): Promise<void> {
    const written = this.#journal.snapshot((generation) => {
      const state: AgentState = { version: 1, agent: this.#agent, processes: [...this.#records.values()], host_objects: this.#hostObjects, journal: generation };
      return `${JSON.stringify(state, null, 2)}\n`;
    });
    if (this.#snapshot?.written !== written) {
      const settled = written.then(() => {
        this.#snapshotDue = false;
      }, (err) => {
        // A full disk must not take the agent down; the next change retries.
        this.#snapshotDue = true;
        this.#onError(err as Error);
      });
      this.#snapshot = { written, settled };
    }
    return this.#snapshot.settled;
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
    this.#agent = null;
    await this.flush();
    await this.#journal.close();
  }
}
