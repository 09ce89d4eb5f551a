/** A controller project: its nodes, links and drawings in memory, its `.gns3` file on disk, its presence on computes. */
import { randomUUID } from 'node:crypto';
import { mkdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { atomicWrite } from '../storage/atomic-write.ts';
import type { RemoteCompute } from './remote-compute.ts';
import type { Controller } from './controller.ts';
import { Drawing, type DrawingFields } from './drawing.ts';
import { normalizeFilters } from './filters.ts';
import { Link, type LinkEndInput } from './link.ts';
import { Node, type NodeInput } from './node.ts';
import { NodeNames } from './node-names.ts';
import { mapBounded } from '../concurrency/map-bounded.ts';
import {
  buildTopology, parseTopology, serializeTopology, settingsOf, type ProjectSettings, type TopologyFile,
} from './topology.ts';
import { fail, isError } from '../errors/index.ts';
import { nodeLockKey, projectLockPrefix } from '../concurrency/keyed-lock.ts';

/** How many nodes are started/stopped/created at once in bulk operations. */
export const BULK_CONCURRENCY = 16;

export type NodeAction = 'start' | 'stop' | 'suspend' | 'reload';

/** A project as the controller keeps it (topology, nodes across computes, links); the agent-side one is `compute/project.ts`. */
export class ControllerProject {
  readonly controller: Controller;
  readonly id: string;
  name: string;
  readonly path: string;
  readonly filename: string;
  status: 'opened' | 'closed' = 'closed';
  settings: ProjectSettings;
  readonly nodes = new Map<string, Node>();
  readonly links = new Map<string, Link>();
  readonly drawings = new Map<string, Drawing>();
  readonly names = new NodeNames();
  /** Computes the project was created on, by compute id (creation is lazy: first node there). */
  readonly #onCompute = new Map<string, Promise<void>>();
  #writing: Promise<void> = Promise.resolve();
  #dirty = false;
  #opening?: Promise<void>;
  #closing?: Promise<void>;

  constructor(controller: Controller, init: { id: string; name: string; path: string; filename: string; settings: ProjectSettings }) {
    this.controller = controller;
    this.id = init.id;
    this.name = init.name;
    this.path = init.path;
    this.filename = init.filename;
    this.settings = init.settings;
  }

  get file(): string {
    return join(this.path, this.filename);
  }

  toJSON(): Record<string, unknown> {
    return { project_id: this.id, name: this.name, path: this.path, filename: this.filename, status: this.status, ...this.settings };
  }

  emit(action: string, event: unknown): void {
    this.controller.hub.project(this.id, action, event);
  }

  requireOpened(): void {
    if (this.status !== 'opened') throw fail('PROJECT_NOT_OPENED');
  }

  /** Handlers wait for an open in progress so they see the loaded nodes. */
  async ready(): Promise<void> {
    await this.#opening;
  }

  stats(snapshots: number): Record<string, number> {
    return { nodes: this.nodes.size, links: this.links.size, drawings: this.drawings.size, snapshots };
  }

  /** Creates the project on a compute once (GNS3 does it lazily before the first node there). */
  ensureOnCompute(compute: RemoteCompute): Promise<void> {
    let pending = this.#onCompute.get(compute.id);
    if (!pending) {
      const body: Record<string, unknown> = { name: this.name, project_id: this.id };
      if (compute.id === 'local') body.path = this.path;
      if (this.settings.variables) body.variables = this.settings.variables;
      pending = compute.query('POST', '/projects', body).then(() => undefined);
      pending.catch(() => this.#onCompute.delete(compute.id));
      this.#onCompute.set(compute.id, pending);
    }
    return pending;
  }

  /** A compute came back (maybe restarted without our project): create the project there again before use. */
  forgetCompute(computeId: string): void {
    this.#onCompute.delete(computeId);
  }

  usesCompute(computeId: string): boolean {
    return this.#onCompute.has(computeId) || [...this.nodes.values()].some((n) => n.compute.id === computeId);
  }

  topology(): TopologyFile {
    const computes = new Map<string, RemoteCompute>();
    for (const node of this.nodes.values()) {
      if (node.compute.id !== 'local' && node.compute.id !== 'vm') computes.set(node.compute.id, node.compute);
    }
    return buildTopology({
      project_id: this.id,
      name: this.name,
      settings: this.settings,
      computes: [...computes.values()].map((c) => c.toTopology()),
      nodes: [...this.nodes.values()].map((n) => n.toTopology()),
      links: [...this.links.values()].filter((l) => l.created || l.ends.length === 2).map((l) => l.toTopology()),
      drawings: [...this.drawings.values()].map((d) => d.toTopology()),
      version: this.controller.version,
    });
  }

  /**
   * Writes `<name>.gns3` atomically. Calls made while a write runs share the next write, so a burst of changes costs
   * two writes, and every caller returns only once its change is on disk.
   */
  save(): Promise<void> {
    this.#dirty = true;
    // A failed write (disk full) must not poison the chain: later saves retry with the current topology.
    this.#writing = this.#writing.catch(() => {}).then(async () => {
      if (!this.#dirty) return;
      this.#dirty = false;
      try {
        await mkdir(this.path, { recursive: true });
        await atomicWrite(this.file, serializeTopology(this.topology()));
      } catch (err) {
        this.#dirty = true;
        throw fail('PROJECT_SAVE_FAILED', this.file, (err as Error).message);
      }
    });
    return this.#writing;
  }

  async readFile(): Promise<TopologyFile> {
    let text: string;
    try {
      text = await readFile(this.file, 'utf8');
    } catch (err) {
      throw fail('TOPOLOGY_FILE_UNREADABLE', this.file, (err as Error).message);
    }
    return parseTopology(text);
  }

  async open(): Promise<void> {
    if (this.status === 'opened') return;
    if (this.#closing) throw fail('PROJECT_CLOSING');
    this.#opening ??= this.#load().finally(() => (this.#opening = undefined));
    return this.#opening;
  }

  async #load(): Promise<void> {
    this.#reset();
    this.status = 'opened';
    let file: TopologyFile;
    try {
      file = await this.readFile();
    } catch (err) {
      if (isError(err, 'TOPOLOGY_FILE_UNREADABLE')) return;
      this.status = 'closed';
      throw err;
    }
    try {
      this.settings = settingsOf(file);
      for (const c of file.topology.computes) await this.controller.ensureCompute(c);
      for (const n of file.topology.nodes) this.names.claim(n.name);
      const created = await mapBounded(file.topology.nodes, BULK_CONCURRENCY, (n) =>
        this.#restoreNode({ ...(n as NodeInput & { compute_id: string }) }),
      );
      const failed = created.find((r) => r.status === 'rejected');
      if (failed) throw (failed as PromiseRejectedResult).reason;
      const links = file.topology.links.filter((l) => l.nodes.length === 2);
      const made = await mapBounded(links, BULK_CONCURRENCY, async (l) => {
        const link = new Link(this, l.link_id);
        link.filters = normalizeFilters(l.filters ?? {});
        link.link_style = l.link_style ?? {};
        link.suspend = l.suspend ?? false;
        try {
          for (const end of l.nodes) link.attach(end as LinkEndInput);
        } catch {
          return; // GNS3 skips links whose ports are gone or already used
        }
        this.links.set(link.link_id, link);
        await link.realize();
      });
      const linkFailed = made.find((r) => r.status === 'rejected');
      if (linkFailed) throw (linkFailed as PromiseRejectedResult).reason;
      for (const d of file.topology.drawings) this.drawings.set(d.drawing_id, new Drawing(this.id, d.drawing_id, d));
    } catch (err) {
      await this.#closeOnComputes();
      this.#reset();
      this.status = 'closed';
      throw err;
    }
    await this.save();
    if (this.settings.auto_start) void this.bulkAction('start').catch(() => {});
  }

  async #restoreNode(input: NodeInput & { compute_id: string }): Promise<Node> {
    const compute = this.controller.getCompute(input.compute_id);
    const node = new Node(this, compute, input);
    await node.applySymbol(node.symbol, !input.label);
    this.nodes.set(node.node_id, node);
    await node.create();
    return node;
  }

  #reset(): void {
    this.nodes.clear();
    this.links.clear();
    this.drawings.clear();
    this.names.clear();
    this.#onCompute.clear();
  }

  async #closeOnComputes(): Promise<void> {
    const ids = [...this.#onCompute.keys()];
    await Promise.allSettled(
      ids.map((id) => this.controller.computes.get(id)?.query('POST', `/projects/${this.id}/close`, undefined, { dontConnect: true })),
    );
  }

  /** Stops nodes, closes the project on its computes, forgets the in-memory topology. */
  async close(options: { emit?: boolean } = {}): Promise<void> {
    if (this.status === 'closed') return;
    if (this.#closing) return this.#closing;
    this.#closing = (async () => {
      await this.#opening?.catch(() => {});
      await this.controller.locks.drain(projectLockPrefix(this.id));
      await this.bulkAction('stop').catch(() => {});
      await this.save().catch(() => {});
      await this.#closeOnComputes();
      this.#reset();
      this.status = 'closed';
      if (options.emit !== false) this.emit('project.closed', this.toJSON());
    })().finally(() => (this.#closing = undefined));
    return this.#closing;
  }

  /** Settings and name changes from PUT; returns whether anything changed. */
  async update(fields: Partial<ProjectSettings> & { name?: string }): Promise<boolean> {
    const before = JSON.stringify(this.toJSON());
    if (fields.name !== undefined && fields.name !== this.name) {
      if ([...this.controller.projects.values()].some((p) => p !== this && p.name === fields.name)) {
        throw fail('PROJECT_NAME_TAKEN', fields.name);
      }
      this.name = fields.name;
    }
    const variablesChanged = fields.variables !== undefined && JSON.stringify(fields.variables) !== JSON.stringify(this.settings.variables);
    for (const [key, value] of Object.entries(fields)) {
      if (key !== 'name' && value !== undefined) (this.settings as Record<string, unknown>)[key] = value;
    }
    const changed = JSON.stringify(this.toJSON()) !== before;
    if (!changed) return false;
    if (this.status === 'opened') await this.save();
    else await atomicWrite(this.file, serializeTopology({ ...(await this.readFile()), name: this.name, ...this.settings }));
    if (variablesChanged) {
      await Promise.allSettled(
        [...this.#onCompute.keys()].map((id) =>
          this.controller.computes.get(id)?.query('PUT', `/projects/${this.id}`, { variables: this.settings.variables }),
        ),
      );
    }
    this.emit('project.updated', this.toJSON());
    return true;
  }

  // ---- nodes ----

  getNode(nodeId: string): Node {
    this.requireOpened();
    const node = this.nodes.get(nodeId);
    if (!node) throw fail('CONTROLLER_NODE_NOT_FOUND', nodeId);
    return node;
  }

  /** Adds a node (idempotent on node_id, as GNS3) and creates it on its compute. */
  async addNode(compute: RemoteCompute, input: Omit<NodeInput, 'node_id'> & { node_id?: string }): Promise<Node> {
    this.requireOpened();
    if (input.node_id && this.nodes.has(input.node_id)) return this.nodes.get(input.node_id)!;
    const name = this.names.allocate(input.name);
    const node = new Node(this, compute, { ...input, node_id: input.node_id ?? randomUUID(), name });
    try {
      await node.applySymbol(input.symbol ?? (input.properties?.default_symbol as string | undefined) ?? ':/symbols/computer.svg', !input.label);
      delete node.properties.default_symbol;
      this.nodes.set(node.node_id, node);
      await node.create();
    } catch (err) {
      this.nodes.delete(node.node_id);
      this.names.free(node.name);
      throw err;
    }
    this.emit('node.created', node.toJSON());
    await this.save();
    return node;
  }

  async deleteNode(node: Node): Promise<void> {
    if (node.locked) throw fail('NODE_LOCKED', node.name);
    for (const link of [...this.links.values()]) {
      if (link.ends.some((e) => e.node === node)) await this.deleteLink(link, { force: true });
    }
    await node.destroy();
    this.nodes.delete(node.node_id);
    this.names.free(node.name);
    this.emit('node.deleted', node.toJSON());
    await this.save();
  }

  /** One node action, under that node's lock. Emits `node.updated` when the status changed. */
  async nodeAction(node: Node, action: NodeAction, body?: unknown): Promise<void> {
    await this.controller.locks.run(nodeLockKey(this.id, node.node_id), async () => {
      if (this.nodes.get(node.node_id) !== node) return;
      if (await node.action(action, body)) this.nodeChanged(node);
    });
  }

  /**
   * All nodes at once with a concurrency bound. Each node holds only its own lock for its own call, so a slow node
   * never blocks requests for the others. Reload is stop-all then start-all, as in GNS3.
   */
  async bulkAction(action: NodeAction): Promise<void> {
    if (action === 'reload') {
      await this.bulkAction('stop');
      return this.bulkAction('start');
    }
    const results = await mapBounded([...this.nodes.values()], BULK_CONCURRENCY, (node) => this.nodeAction(node, action));
    const failed = results.find((r) => r.status === 'rejected');
    if (failed) throw (failed as PromiseRejectedResult).reason;
  }

  /** A node's state changed: tell listeners, stop a capture its link can no longer do. */
  nodeChanged(node: Node): void {
    this.emit('node.updated', node.toJSON());
    if (node.status !== 'started') {
      for (const link of this.links.values()) {
        if (link.capturing && link.captureEnd?.node === node) {
          void link.stopCapture().catch(() => {}).then(() => this.emit('link.updated', link.toJSON()));
        }
      }
    }
  }

  // ---- links ----

  getLink(linkId: string): Link {
    this.requireOpened();
    const link = this.links.get(linkId);
    if (!link) throw fail('LINK_NOT_FOUND', linkId);
    return link;
  }

  async addLink(input: {
    link_id?: string;
    nodes: LinkEndInput[];
    filters?: Record<string, unknown>;
    link_style?: Record<string, unknown>;
    suspend?: boolean;
  }): Promise<Link> {
    this.requireOpened();
    const link = new Link(this, input.link_id ?? randomUUID());
    if (input.filters) link.filters = normalizeFilters(input.filters);
    if (input.link_style) link.link_style = input.link_style;
    if (input.suspend !== undefined) link.suspend = input.suspend;
    this.links.set(link.link_id, link);
    try {
      for (const end of input.nodes) link.attach(end);
      if (link.ends.length === 2) await link.realize();
    } catch (err) {
      this.links.delete(link.link_id);
      throw err;
    }
    if (link.ends.length === 2) this.emit('link.created', link.toJSON());
    await this.save();
    return link;
  }

  async updateLink(
    link: Link,
    fields: { filters?: Record<string, unknown>; suspend?: boolean; link_style?: Record<string, unknown>; nodes?: LinkEndInput[] },
  ): Promise<void> {
    let push = false;
    let changed = false;
    if (fields.filters !== undefined) {
      const filters = normalizeFilters(fields.filters);
      if (JSON.stringify(filters) !== JSON.stringify(link.filters)) {
        link.filters = filters;
        push = true;
      }
    }
    if (fields.suspend !== undefined && fields.suspend !== link.suspend) {
      link.suspend = fields.suspend;
      push = true;
    }
    if (fields.link_style !== undefined && JSON.stringify(fields.link_style) !== JSON.stringify(link.link_style)) {
      link.link_style = fields.link_style;
      changed = true;
    }
    for (const end of fields.nodes ?? []) {
      const target = link.ends.find((e) => e.node.node_id === end.node_id);
      if (target && end.label && JSON.stringify(end.label) !== JSON.stringify(target.label)) {
        target.label = end.label;
        changed = true;
      }
    }
    if (push) await link.pushUpdate();
    if (push || changed) {
      this.emit('link.updated', link.toJSON());
      await this.save();
    }
  }

  async deleteLink(link: Link, options: { force?: boolean } = {}): Promise<void> {
    try {
      await link.unrealize();
    } catch (err) {
      if (!options.force) throw err;
    }
    this.links.delete(link.link_id);
    this.emit('link.deleted', link.toJSON());
    await this.save();
  }

  // ---- drawings ----

  getDrawing(drawingId: string): Drawing {
    this.requireOpened();
    const drawing = this.drawings.get(drawingId);
    if (!drawing) throw fail('DRAWING_NOT_FOUND', drawingId);
    return drawing;
  }

  async addDrawing(fields: Partial<DrawingFields> & { drawing_id?: string }): Promise<Drawing> {
    this.requireOpened();
    const { drawing_id, ...rest } = fields;
    const drawing = new Drawing(this.id, drawing_id ?? randomUUID(), rest);
    this.drawings.set(drawing.drawing_id, drawing);
    this.emit('drawing.created', drawing.toJSON());
    await this.save();
    return drawing;
  }

  async updateDrawing(drawing: Drawing, fields: Partial<DrawingFields>): Promise<void> {
    this.emit('drawing.updated', drawing.update(fields));
    await this.save();
  }

  async deleteDrawing(drawing: Drawing): Promise<void> {
    if (drawing.fields.locked) throw fail('DRAWING_LOCKED', drawing.drawing_id);
    this.drawings.delete(drawing.drawing_id);
    this.emit('drawing.deleted', drawing.toJSON());
    await this.save();
  }
}
