/** The compute: projects, nodes, port pools, locks and notifications of one agent. */
import { randomUUID } from 'node:crypto';
import { mkdir, rm } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { UUID_PATTERN, type ComputeProjectCreate } from './schemas.ts';
import type { HostNetwork } from '../hostnet/host-network.ts';
import type { Relay } from '../relay/types.ts';
import { resolveInside } from '../storage/safe-path.ts';
import type { NodeDriver } from './drivers.ts';
import { KeyedLock, projectLockPrefix } from '../concurrency/keyed-lock.ts';
import type { BaseNode, NodeHost } from './node.ts';
import { Notifier } from './notifier.ts';
import { PortPool } from './port-pool.ts';
import { tcpProbe, udpProbe } from './port-probe.ts';
import { Project } from './project.ts';
import { fail } from '../errors/index.ts';

export type ComputeOptions = {
  /** Address consoles bind to (the agent's own host address). */
  consoleHost: string;
  projectsDir: string;
  consolePorts: readonly [number, number];
  udpPorts: readonly [number, number];
  /** Emulator binaries by node type (`vpcs`, `qemu`), names looked up on PATH. */
  binaries: Record<string, string | undefined>;
  /** GNS3 "local" mode: projects may live outside `projectsDir` (the controller in the same process). */
  local: boolean;
  relay: Relay;
  hostNetwork: HostNetwork;
  drivers: NodeDriver[];
};

export class Compute implements NodeHost {
  readonly consoleHost: string;
  readonly projectsDir: string;
  readonly local: boolean;
  readonly tcpPorts: PortPool;
  readonly udpPorts: PortPool;
  readonly relay: Relay;
  readonly hostNetwork: HostNetwork;
  readonly binaries: Readonly<Record<string, string | undefined>>;
  readonly notifier = new Notifier();
  readonly locks = new KeyedLock();
  readonly drivers: ReadonlyMap<string, NodeDriver>;
  readonly #projects = new Map<string, Project>();
  /** Every node of every project: GNS3 makes node creation idempotent on `node_id` across projects. */
  readonly #nodes = new Map<string, BaseNode>();

  constructor(options: ComputeOptions) {
    this.consoleHost = options.consoleHost;
    this.projectsDir = resolve(options.projectsDir);
    this.local = options.local;
    this.tcpPorts = new PortPool(options.consolePorts, tcpProbe(options.consoleHost));
    this.udpPorts = new PortPool(options.udpPorts, udpProbe('0.0.0.0'));
    this.relay = options.relay;
    this.hostNetwork = options.hostNetwork;
    this.binaries = options.binaries;
    this.drivers = new Map(options.drivers.map((driver) => [driver.type, driver]));
    this.relay.onEvent((event) => this.notify(`log.${event.level}`, { message: event.message }));
  }

  get listening(): boolean {
    return this.notifier.size > 0;
  }

  notify(action: string, event: unknown, projectId?: string): void {
    this.notifier.emit(projectId ? { action, event, project_id: projectId } : { action, event });
  }

  get projects(): Project[] {
    return [...this.#projects.values()];
  }

  get nodes(): BaseNode[] {
    return [...this.#nodes.values()];
  }

  /** Creates a project, or returns the existing one with that id unchanged (GNS3 is idempotent here). */
  async createProject(fields: ComputeProjectCreate): Promise<Project> {
    const id = fields.project_id ?? randomUUID();
    const existing = this.#projects.get(id);
    if (existing) return existing;
    const path = fields.path ? resolve(fields.path) : join(this.projectsDir, id);
    if (fields.path && !this.local) resolveInside(this.projectsDir, path);
    const project = new Project(id, fields.name, path, fields.variables ?? null);
    try {
      await mkdir(project.filesDir, { recursive: true });
      await rm(project.tmpDir, { recursive: true, force: true });
    } catch (err) {
      throw fail('PROJECT_DIRECTORY_FAILED', (err as Error).message);
    }
    this.#projects.set(id, project);
    return project;
  }

  project(id: string): Project {
    if (!UUID_PATTERN.test(id)) throw fail('PROJECT_ID_INVALID', id);
    const project = this.#projects.get(id);
    if (!project) throw fail('PROJECT_NOT_FOUND', id);
    return project;
  }

  driver(type: string): NodeDriver {
    const driver = this.drivers.get(type);
    if (!driver) throw fail('NODE_TYPE_UNSUPPORTED', type);
    return driver;
  }

  /** The node with this id in any project, if any (no GNS3 checks: for the agent's own bookkeeping). */
  nodeWithId(nodeId: string): BaseNode | undefined {
    return this.#nodes.get(nodeId);
  }

  /** Looks a node up the way GNS3 does: 400 on a malformed id, 404 if unknown or in another project. */
  node(projectId: string, type: string, nodeId: string): BaseNode {
    const project = this.project(projectId);
    this.driver(type);
    if (!UUID_PATTERN.test(nodeId)) throw fail('NODE_ID_INVALID', nodeId);
    const node = this.#nodes.get(nodeId);
    if (!node || node.type !== type) throw fail('NODE_NOT_FOUND', nodeId);
    if (node.project !== project) throw fail('NODE_IN_OTHER_PROJECT', projectId, node.name);
    return node;
  }

  async createNode(project: Project, type: string, fields: Record<string, unknown>): Promise<BaseNode> {
    const driver = this.driver(type);
    // Integer ids come from GNS3 1.x projects; GNS3 swaps them for a UUID.
    const id = typeof fields.node_id === 'string' ? fields.node_id : randomUUID();
    const existing = this.#nodes.get(id);
    if (existing) return existing;
    const node = await driver.create({ id, name: String(fields.name ?? type), project, host: this }, fields);
    // Two concurrent creates with one id: keep the first, give back the second's ports.
    const raced = this.#nodes.get(id);
    if (raced) {
      await node.close();
      driver.forget?.(node);
      return raced;
    }
    this.#nodes.set(id, node);
    project.nodes.add(node);
    return node;
  }

  async deleteNode(node: BaseNode): Promise<void> {
    await node.close();
    this.#forget(node);
    this.notify('node.deleted', node.toJSON(), node.project.id);
    await rm(node.directory, { recursive: true, force: true });
  }

  #forget(node: BaseNode): void {
    this.#nodes.delete(node.id);
    node.project.nodes.delete(node);
    this.drivers.get(node.type)?.forget?.(node);
  }

  async allocateUdpPort(project: Project): Promise<number> {
    return this.udpPorts.allocate(`${project.id}/`);
  }

  /** Closes a project: waits for in-flight node requests, stops every node, frees its ports; `remove` deletes files. */
  async closeProject(project: Project, { remove }: { remove: boolean }): Promise<void> {
    this.#projects.delete(project.id);
    await this.locks.drain(projectLockPrefix(project.id));
    const nodes = [...project.nodes];
    const results = await Promise.allSettled(nodes.map((node) => node.close()));
    for (const result of results) {
      if (result.status === 'rejected') {
        this.notify('log.error', { message: `Error while closing a node: ${result.reason?.message ?? result.reason}` }, project.id);
      }
    }
    for (const node of nodes) this.#forget(node);
    this.tcpPorts.releaseOwnedBy(`${project.id}/`);
    this.udpPorts.releaseOwnedBy(`${project.id}/`);
    await rm(remove ? project.path : project.tmpDir, { recursive: true, force: true });
  }

  /** Stops every emulator, frees every port and removes every host object the agent made; project files stay. */
  async shutdown(): Promise<void> {
    await Promise.allSettled(this.projects.map((project) => this.closeProject(project, { remove: false })));
    await this.relay.close();
    await this.hostNetwork.close();
  }
}
