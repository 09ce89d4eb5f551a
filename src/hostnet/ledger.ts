/**
 * The host objects the agent made (links, nftables tables, helper processes). Each is recorded in the state file
 * before it is created and forgotten only once it is gone, so whatever a crash leaves behind is known to the next
 * agent, which removes exactly those (reapHostObjects) and nothing else.
 */
import * as v from 'valibot';
import process from 'node:process';
import { processInfo, startTimeOf } from '../process/process-table.ts';
import { deleteLink, linkIndex } from './links.ts';
import { deleteNftTable } from './masquerade.ts';

const Name = v.pipe(v.string(), v.minLength(1));

export const HostObject = v.variant('kind', [
  /**
   * A bridge, TAP or veth created by the agent (deleting a veth end removes its peer). `ifindex` is filled in once
   * the link exists, so a later link that merely reuses the name is left alone.
   */
  v.strictObject({ kind: v.literal('link'), name: Name, ifindex: v.nullable(v.pipe(v.number(), v.integer())) }),
  v.strictObject({ kind: v.literal('nft_table'), family: Name, name: Name }),
  /** A helper such as the NAT network's dnsmasq; ours only while the pid has the recorded start time. */
  v.strictObject({
    kind: v.literal('process'),
    pid: v.pipe(v.number(), v.integer(), v.minValue(2)),
    start_time: v.nullable(v.string()),
    argv: v.array(v.string()),
  }),
]);
export type HostObject = v.InferOutput<typeof HostObject>;
export type LinkObject = Extract<HostObject, { kind: 'link' }>;

const sameObject = (a: HostObject, b: HostObject) => JSON.stringify(a) === JSON.stringify(b);

/** Describes an object for logs: `link pbnat0`, `nft_table ip patchbay-pbnat0`, `process 1234 (dnsmasq)`. */
export function describeHostObject(object: HostObject): string {
  switch (object.kind) {
    case 'link':
      return `link ${object.name}`;
    case 'nft_table':
      return `nft_table ${object.family} ${object.name}`;
    case 'process':
      return `process ${object.pid} (${object.argv[0] ?? '?'})`;
  }
}

/** The agent's record of its host objects; `persist` writes the list (the state file) and is awaited. */
export class HostObjectLedger {
  readonly #objects: HostObject[] = [];
  readonly #persist: (objects: readonly HostObject[]) => Promise<void>;

  constructor(persist: (objects: readonly HostObject[]) => Promise<void> = async () => {}) {
    this.#persist = persist;
  }

  get objects(): readonly HostObject[] {
    return this.#objects;
  }

  /** Records an object about to be created; resolves once the record is on disk. */
  async record(object: HostObject): Promise<void> {
    this.#objects.push(object);
    await this.#persist(this.#objects);
  }

  /** Forgets an object that is gone. */
  async forget(object: HostObject): Promise<void> {
    const index = this.#objects.findIndex((o) => sameObject(o, object));
    if (index < 0) return;
    this.#objects.splice(index, 1);
    await this.#persist(this.#objects);
  }

  /** Replaces a record (e.g. with the ifindex of the link just created). */
  async update(previous: HostObject, next: HostObject): Promise<void> {
    const index = this.#objects.findIndex((o) => sameObject(o, previous));
    if (index < 0) this.#objects.push(next);
    else this.#objects[index] = next;
    await this.#persist(this.#objects);
  }

  /**
   * Creates a link with `create` under a record written first; the record then gets the link's ifindex. If `create`
   * fails, whatever it left is removed and the record dropped.
   */
  async createLink(name: string, create: () => Promise<void>): Promise<LinkObject> {
    const pending: LinkObject = { kind: 'link', name, ifindex: null };
    await this.create(pending, create);
    const created: LinkObject = { kind: 'link', name, ifindex: linkIndex(name) };
    await this.update(pending, created);
    return created;
  }

  /** Records `object` (an nftables table, a link), then runs `create`; if it fails, removes what it left and the record. */
  async create(object: HostObject, create: () => Promise<void>): Promise<void> {
    await this.record(object);
    try {
      await create();
    } catch (err) {
      await removeHostObject(object).catch(() => undefined);
      await this.forget(object);
      throw err;
    }
  }

  /** Removes an object the agent made and forgets it. */
  async remove(object: HostObject): Promise<void> {
    await removeHostObject(object);
    await this.forget(object);
  }
}

/** A recorded process that still runs with the recorded start time, i.e. is still the one we started. */
function stillOurs(object: Extract<HostObject, { kind: 'process' }>): boolean {
  const info = processInfo(object.pid);
  return info !== null && !info.zombie && object.start_time !== null && info.startTime === object.start_time;
}

/** Removes one host object if it still exists; resolves true if something was removed. */
export async function removeHostObject(object: HostObject): Promise<boolean> {
  switch (object.kind) {
    case 'link':
      // Recorded with its index: a link of that name with another index is not the one we made.
      if (object.ifindex !== null && linkIndex(object.name) !== object.ifindex) return false;
      return deleteLink(object.name);
    case 'nft_table':
      return deleteNftTable(object.family, object.name);
    case 'process': {
      if (!stillOurs(object)) return false;
      process.kill(object.pid, 'SIGKILL');
      for (let i = 0; i < 100 && stillOurs(object); i++) await new Promise((resolve) => setTimeout(resolve, 20));
      return true;
    }
  }
}

/** A process record for a helper that was just spawned. */
export const processObject = (pid: number, argv: readonly string[]): HostObject => ({
  kind: 'process',
  pid,
  start_time: startTimeOf(pid),
  argv: [...argv],
});

export type HostReapResult = { removed: string[]; failed: Array<{ object: string; error: string }> };

/** Start-up step: removes what a previous agent recorded and left; processes first, so they release their links. */
export async function reapHostObjects(objects: readonly HostObject[]): Promise<HostReapResult> {
  const order = { process: 0, link: 1, nft_table: 2 } as const;
  const result: HostReapResult = { removed: [], failed: [] };
  for (const object of [...objects].sort((a, b) => order[a.kind] - order[b.kind])) {
    try {
      if (await removeHostObject(object)) result.removed.push(describeHostObject(object));
    } catch (err) {
      result.failed.push({ object: describeHostObject(object), error: (err as Error).message });
    }
  }
  return result;
}
