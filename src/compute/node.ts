/** The node model shared by every node type: status, NIOs per adapter/port, capture bookkeeping, notifications. */
import { join } from 'node:path';
import { cp, mkdir } from 'node:fs/promises';
import type { Nio } from './schemas.ts';
import { resolveInside } from '../storage/safe-path.ts';
import type { HostNetwork } from '../hostnet/host-network.ts';
import type { Relay } from '../relay/types.ts';
import type { PortPool } from './port-pool.ts';
import type { Project } from './project.ts';
import { fail } from '../errors/index.ts';

export type NodeStatus = 'started' | 'stopped' | 'suspended';

/** What the compute lends to each node. */
export interface NodeHost {
  readonly consoleHost: string;
  readonly tcpPorts: PortPool;
  readonly udpPorts: PortPool;
  readonly relay: Relay;
  /** Host interfaces, TAP devices and the NAT network (cloud and NAT nodes). */
  readonly hostNetwork: HostNetwork;
  readonly binaries: Readonly<Record<string, string | undefined>>;
  notify(action: string, event: unknown, projectId?: string): void;
  /** Whether anyone receives notifications now (a controller, a notification stream). */
  readonly listening: boolean;
}

export type NodeInit = { id: string; name: string; project: Project; host: NodeHost };

type UnconnectedPortError = 'PORT_NOT_CONNECTED' | 'PORT_NOT_ALLOCATED' | 'CLOUD_PORT_NOT_ALLOCATED';
type TakenPortError = 'PORT_NOT_FREE' | 'CLOUD_PORT_NOT_FREE';

/** A port reference as it appears in the URL: `adapters/{adapter}/ports/{port}`. */
export type PortRef = { adapter: number; port: number };

export abstract class BaseNode {
  /** GNS3 node type as used in URLs (`vpcs`, `qemu`, ...). */
  abstract readonly type: string;
  /** Folder under `project-files/` holding the node directory (`vpcs`, `qemu`, `builtin`). */
  abstract readonly module: string;

  readonly id: string;
  readonly project: Project;
  readonly host: NodeHost;
  name: string;
  status: NodeStatus = 'stopped';
  protected readonly nios = new Map<string, Nio>();
  /** Capture file per port key, set while a capture is requested. */
  protected readonly captures = new Map<string, string>();

  constructor(init: NodeInit) {
    this.id = init.id;
    this.name = init.name;
    this.project = init.project;
    this.host = init.host;
  }

  /** Owner key of every port this node holds, so a project close can sweep them all. */
  get owner(): string {
    return `${this.project.id}/${this.id}`;
  }

  /**
   * Joined once: project, module and id never change, and a start reads it 5–8 times (its existence check, the spawn's
   * cwd and log file, the state file's node lookup, the node's JSON twice), each `path.join` a few strings more for
   * the young generation to collect.
   */
  #directory: string | undefined;

  get directory(): string {
    return (this.#directory ??= join(this.project.filesDir, this.module, this.id));
  }

  abstract toJSON(): Record<string, unknown>;
  abstract start(): Promise<void>;
  abstract stop(): Promise<void>;
  /** Applies a validated update body; the route validates it with the driver's schema. */
  abstract update(fields: Record<string, unknown>): Promise<void>;

  async suspend(): Promise<void> {}
  async resume(): Promise<void> {}
  async reload(): Promise<void> {
    await this.stop();
    await this.start();
  }
  async consoleReset(): Promise<void> {}

  /** Stops the node and gives back every port it holds. Called on delete and project close. */
  async close(): Promise<void> {
    await this.stop();
    for (const nio of this.nios.values()) if (nio.type === 'nio_udp') this.host.udpPorts.release(nio.lport);
    this.nios.clear();
    this.host.tcpPorts.releaseOwnedBy(this.owner);
    this.host.udpPorts.releaseOwnedBy(this.owner);
  }

  /** Copies this node's working directory over `destination`'s (GNS3's duplicate of a stopped node). */
  async duplicateInto(destination: BaseNode): Promise<void> {
    await mkdir(this.directory, { recursive: true });
    await cp(this.directory, destination.directory, { recursive: true, force: true });
  }

  /** Validates that the port exists on this node type and returns its key; 409 otherwise. */
  protected abstract portKey(ref: PortRef): string;

  /** Called after a NIO was stored or changed, to wire it into the data plane if the node runs. */
  protected abstract nioChanged(key: string, nio: Nio): Promise<void>;
  /** Called before a NIO is forgotten. */
  protected abstract nioRemoved(key: string, nio: Nio): Promise<void>;
  /** Called when a capture starts or stops on a port. */
  protected abstract captureChanged(key: string, file: string | null): Promise<void>;

  /** NIO types this node accepts; GNS3 answers others with 409. */
  protected readonly nioTypes: readonly string[] = ['nio_udp'];

  /**
   * What GNS3 answers (409, quoting the port) for a port without a NIO, and for a NIO added on a port that has one
   * (null: the new NIO replaces the old). Hubs, switches and clouds word these their own way.
   */
  protected readonly portErrors: { unconnected: UnconnectedPortError; taken: TakenPortError | null } = {
    unconnected: 'PORT_NOT_CONNECTED',
    taken: null,
  };

  async addNio(ref: PortRef, nio: Nio): Promise<Nio> {
    const key = this.portKey(ref);
    if (this.portErrors.taken && this.nios.has(key)) throw fail(this.portErrors.taken, ref.port);
    if (!this.nioTypes.includes(nio.type)) throw fail('NIO_TYPE_UNSUPPORTED', nio.type);
    this.nios.set(key, nio);
    await this.nioChanged(key, nio);
    return nio;
  }

  async updateNio(ref: PortRef, nio: Nio): Promise<void> {
    const key = this.connectedKey(ref);
    this.nios.set(key, nio);
    await this.nioChanged(key, nio);
  }

  async removeNio(ref: PortRef): Promise<void> {
    const key = this.connectedKey(ref);
    const nio = this.nios.get(key)!;
    if (this.captures.has(key)) await this.stopCapture(ref);
    await this.nioRemoved(key, nio);
    this.nios.delete(key);
    if (nio.type === 'nio_udp') this.host.udpPorts.release(nio.lport);
  }

  async startCapture(ref: PortRef, fileName: string): Promise<string> {
    const key = this.connectedKey(ref);
    if (this.captures.has(key)) throw fail('CAPTURE_ALREADY_ACTIVE', ref.port);
    await mkdir(this.project.capturesDir, { recursive: true });
    const file = resolveInside(this.project.capturesDir, fileName);
    this.captures.set(key, file);
    await this.captureChanged(key, file);
    return file;
  }

  async stopCapture(ref: PortRef): Promise<void> {
    const key = this.connectedKey(ref);
    if (!this.captures.delete(key)) return;
    await this.captureChanged(key, null);
  }

  /** The file being captured on a port, or null. */
  captureFile(ref: PortRef): string | null {
    return this.captures.get(this.connectedKey(ref)) ?? null;
  }

  nio(ref: PortRef): Nio | undefined {
    return this.nios.get(this.portKey(ref));
  }

  protected connectedKey(ref: PortRef): string {
    const key = this.portKey(ref);
    if (!this.nios.has(key)) throw fail(this.portErrors.unconnected, ref.port);
    return key;
  }

  protected setStatus(status: NodeStatus): void {
    this.status = status;
    this.emitUpdated();
  }

  /** The node's JSON as GNS3 shapes its builtin nodes: who it is, the fields of its type, then its status. */
  protected describe<F extends Record<string, unknown>>(fields: F) {
    return { name: this.name, node_id: this.id, project_id: this.project.id, ...fields, status: this.status };
  }

  emitUpdated(): void {
    // With nobody subscribed (no controller, no notification stream) the node's JSON would be built for nothing, at
    // every status change: twice per start and stop.
    if (this.host.listening) this.host.notify('node.updated', this.toJSON(), this.project.id);
  }
}
