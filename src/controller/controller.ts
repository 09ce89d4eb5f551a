/** The controller: computes, projects, templates and notification streams, and its own state file. */
import { randomUUID } from 'node:crypto';
import { mkdir, readFile, readdir, rm, stat } from 'node:fs/promises';
import { hostname } from 'node:os';
import { basename, dirname, join, resolve } from 'node:path';
import { KeyedLock, nodeLockKey } from '../concurrency/keyed-lock.ts';
import { atomicWrite } from '../storage/atomic-write.ts';
import { HttpComputeClient, type ComputeClient, type Notification } from './compute-client.ts';
import { RemoteCompute, defaultComputeName, type ComputeHooks, type ComputeSettings } from './remote-compute.ts';
import { toSortedJson } from './json-text.ts';
import { DEFAULT_GNS3VM, type Gns3VmSettings } from './gns3vm.ts';
import { NotificationHub } from './notification-hub.ts';
import { ControllerProject } from './project.ts';
import { Symbols } from './symbols.ts';
import { TemplateStore } from './template-store.ts';
import type { Template } from './templates.ts';
import { DEFAULT_PROJECT_SETTINGS, parseTopology, type ProjectSettings } from './topology.ts';
import { GNS3_VERSION } from './version.ts';
import { fail, isError } from '../errors/index.ts';
import type { ExtractLimits } from './zip-extract.ts';
import { isImportStaging } from './archive.ts';

export type ControllerOptions = {
  projectsDir: string;
  /** JSON state file (GNS3's gns3_controller.conf): remote computes and user templates. */
  configFile: string;
  symbolsDir: string;
  /** Base config files referenced by templates (e.g. vpcs_base_config.txt). */
  configsDir: string;
  /** GNS3 "local server" mode: allows shutdown, project load and paths outside projectsDir. */
  local: boolean;
  /** GNS3 version to speak (computes must match it exactly); default GNS3_VERSION. */
  version?: string;
  /** What an imported archive may inflate to; default archive.ts IMPORT_LIMITS. */
  importLimits?: ExtractLimits;
};

type StoredConfig = {
  computes?: ComputeSettings[];
  templates?: Template[];
  iou_license?: { iourc_content: string; license_check: boolean };
  gns3vm?: Gns3VmSettings;
};

/** Naive UTC ISO time to the second, as GNS3 3.0 stamps its database rows. */
const timestamp = () => new Date().toISOString().slice(0, 19);

/** Auto-close: a project whose last listener left is closed after this delay, if nobody came back. */
const AUTO_CLOSE_MS = 5000;

export class Controller {
  readonly options: ControllerOptions;
  readonly computes = new Map<string, RemoteCompute>();
  readonly projects = new Map<string, ControllerProject>();
  /** User templates (persisted in the state file) after GNS3's built-in ones. */
  readonly templates: TemplateStore;
  readonly hub = new NotificationHub();
  readonly locks = new KeyedLock();
  readonly symbols: Symbols;
  iouLicense = { iourc_content: '', license_check: true };
  gns3vm: Gns3VmSettings = DEFAULT_GNS3VM;
  /** Computes that were connected once: a later connection is a reconnection and triggers a resync. */
  readonly #seen = new Set<string>();
  #configWrite: Promise<void> = Promise.resolve();

  get version(): string {
    return this.options.version ?? GNS3_VERSION;
  }

  constructor(options: ControllerOptions) {
    this.options = { ...options, projectsDir: resolve(options.projectsDir) };
    this.symbols = new Symbols(options.symbolsDir);
    this.templates = new TemplateStore({ changed: () => this.saveConfig(), emit: (action, template) => this.hub.controller(action, template) });
    this.hub.onProjectListenerGone = (projectId, remaining) => {
      if (remaining > 0) return;
      setTimeout(() => {
        const project = this.projects.get(projectId);
        if (project && project.settings.auto_close && project.status === 'opened' && this.hub.projectListeners(projectId) === 0) {
          void project.close().catch(() => {});
        }
      }, AUTO_CLOSE_MS).unref?.();
    };
  }

  /** Loads the state file, registers the computes it lists, and the projects found on disk (closed). */
  async start(): Promise<void> {
    await mkdir(this.options.projectsDir, { recursive: true });
    const stored = await readFile(this.options.configFile, 'utf8').then((t) => JSON.parse(t) as StoredConfig, () => ({}) as StoredConfig);
    this.templates.load(stored.templates ?? []);
    if (stored.iou_license) this.iouLicense = stored.iou_license;
    if (stored.gns3vm) this.gns3vm = { ...DEFAULT_GNS3VM, ...stored.gns3vm };
    for (const settings of stored.computes ?? []) {
      if (!this.computes.has(settings.compute_id)) this.#register(settings, this.#httpClient(settings));
    }
    for (const entry of await readdir(this.options.projectsDir).catch(() => [] as string[])) {
      const dir = join(this.options.projectsDir, entry);
      // Half an archive from an import the previous run did not finish (it holds a project.gns3): never a project.
      if (isImportStaging(entry)) {
        await rm(dir, { recursive: true, force: true });
        continue;
      }
      const files = await readdir(dir).catch(() => [] as string[]);
      const gns3 = files.find((f) => f.endsWith('.gns3'));
      if (gns3) await this.#registerFromFile(join(dir, gns3)).catch(() => undefined);
    }
    for (const project of this.projects.values()) {
      if (project.settings.auto_open) void project.open().catch(() => {});
    }
  }

  async shutdown(): Promise<void> {
    await Promise.allSettled([...this.projects.values()].map((p) => p.close()));
    for (const compute of this.computes.values()) compute.close();
    this.hub.closeAll();
    await this.#configWrite;
  }

  // ---- computes ----

  #httpClient(settings: ComputeSettings): ComputeClient {
    return new HttpComputeClient(settings);
  }

  #hooks: ComputeHooks = {
    changed: (compute) => this.hub.controller('compute.updated', compute.toJSON()),
    event: (compute, n) => this.#dispatch(compute, n),
    connected: (compute) => {
      if (this.#seen.has(compute.id)) void this.#resync(compute);
      this.#seen.add(compute.id);
    },
    disconnected: (compute) => this.#computeLost(compute),
  };

  #register(settings: ComputeSettings, client: ComputeClient, options: { inProcess?: boolean; connect?: boolean } = {}): RemoteCompute {
    const compute = new RemoteCompute(settings, client, this.#hooks, { inProcess: options.inProcess, version: this.version });
    this.computes.set(settings.compute_id, compute);
    this.hub.controller('compute.created', compute.toJSON());
    if (options.connect !== false) compute.start();
    return compute;
  }

  /** The compute of this process, reached without a socket. */
  addLocalCompute(client: ComputeClient, where: { protocol: 'http' | 'https'; host: string; port: number; user?: string | null; password?: string | null }): RemoteCompute {
    const name = hostname() === 'gns3vm' ? 'Main server' : hostname();
    return this.#register(
      { compute_id: 'local', name, protocol: where.protocol, host: where.host, port: where.port, user: where.user ?? null, password: where.password ?? null },
      client,
      { inProcess: true },
    );
  }

  getCompute(computeId: string | null | undefined): RemoteCompute {
    const compute = computeId ? this.computes.get(computeId) : undefined;
    if (!compute) throw fail('COMPUTE_NOT_FOUND', computeId ?? 'None');
    return compute;
  }

  /**
   * POST /v2/computes: a new compute, or (same id) the existing one, moved to a new address if it changed.
   * `connect: false` (3.0's default) only registers a new compute: it connects on `connect` or before its first request.
   */
  async addCompute(input: Partial<ComputeSettings> & Pick<ComputeSettings, 'protocol' | 'host' | 'port'>, options: { connect?: boolean } = {}): Promise<RemoteCompute> {
    const now = timestamp();
    const settings: ComputeSettings = {
      compute_id: input.compute_id ?? randomUUID(),
      protocol: input.protocol,
      host: input.host,
      port: input.port,
      user: input.user ?? null,
      password: input.password ?? null,
      name: input.name ?? defaultComputeName({ protocol: input.protocol, host: input.host, port: input.port, user: input.user ?? null }),
      created_at: now,
      updated_at: now,
    };
    const existing = this.computes.get(settings.compute_id);
    if (existing) {
      const moved = (['protocol', 'host', 'port', 'user', 'password'] as const).some((k) => input[k] !== undefined && input[k] !== existing.settings[k]);
      if (existing.id !== 'local' && moved) {
        existing.settings = { ...existing.settings, ...settings, name: input.name ?? existing.settings.name, created_at: existing.settings.created_at };
        existing.reconnect(this.#httpClient(existing.settings));
      } else if (existing.id !== 'local' && !existing.connected) {
        existing.reconnect(existing.client);
      }
      this.hub.controller('compute.updated', existing.toJSON());
      await this.saveConfig();
      return existing;
    }
    if ([...this.computes.values()].some((c) => c.name === settings.name)) throw fail('COMPUTE_NAME_TAKEN', settings.name);
    const compute = this.#register(settings, this.#httpClient(settings), { connect: options.connect });
    await this.saveConfig();
    return compute;
  }

  async updateCompute(compute: RemoteCompute, input: Partial<ComputeSettings>): Promise<void> {
    const { compute_id: _ignored, created_at: _created, ...changes } = input;
    void [_ignored, _created];
    compute.settings = { ...compute.settings, ...Object.fromEntries(Object.entries(changes).filter(([, v]) => v !== undefined)), updated_at: timestamp() };
    if (compute.id !== 'local') compute.reconnect(this.#httpClient(compute.settings));
    this.hub.controller('compute.updated', compute.toJSON());
    await this.saveConfig();
  }

  async deleteCompute(computeId: string): Promise<void> {
    const compute = this.computes.get(computeId);
    if (!compute) return;
    await Promise.allSettled([...this.projects.values()].filter((p) => p.usesCompute(computeId)).map((p) => p.close()));
    compute.close();
    this.computes.delete(computeId);
    this.#seen.delete(computeId);
    this.hub.controller('compute.deleted', compute.toJSON());
    await this.saveConfig();
  }

  /** Makes sure a compute listed in a topology file is known (GNS3 adds it). */
  async ensureCompute(entry: { compute_id: string; name: string; protocol: 'http' | 'https'; host: string; port: number }): Promise<void> {
    if (!this.computes.has(entry.compute_id)) await this.addCompute(entry);
  }

  #computeLost(compute: RemoteCompute): void {
    for (const project of this.projects.values()) {
      for (const node of project.nodes.values()) {
        if (node.compute === compute && node.markStopped()) project.nodeChanged(node);
      }
    }
  }

  /**
   * After a reconnection: the compute may have restarted and lost our projects. Nodes it still knows adopt its
   * state; nodes it forgot are created again and their links re-wired.
   */
  async #resync(compute: RemoteCompute): Promise<void> {
    for (const project of this.projects.values()) {
      if (project.status !== 'opened') continue;
      project.forgetCompute(compute.id);
      const nodes = [...project.nodes.values()].filter((n) => n.compute === compute);
      const recreated = new Set<string>();
      await Promise.allSettled(
        nodes.map((node) =>
          this.locks.run(nodeLockKey(project.id, node.node_id), async () => {
            try {
              const answer = (await compute.query('GET', node.path)) as Record<string, unknown>;
              if (node.applyCompute(answer)) project.nodeChanged(node);
            } catch (err) {
              if (!isError(err, 'COMPUTE_ANSWERED_NOT_FOUND')) return;
              await node.create();
              recreated.add(node.node_id);
              project.nodeChanged(node);
            }
          }),
        ),
      );
      await Promise.allSettled(
        [...project.links.values()]
          .filter((l) => l.ends.some((e) => recreated.has(e.node.node_id)))
          .map(async (l) => {
            await l.unrealize().catch(() => {});
            await l.realize();
          }),
      );
    }
  }

  /** Compute notifications: `node.updated` is merged into our node; everything else is relayed to project streams. */
  #dispatch(_compute: RemoteCompute, n: Notification): void {
    const event = (n.event ?? {}) as Record<string, unknown>;
    const projectId = n.project_id ?? (event.project_id as string | undefined);
    const project = projectId ? this.projects.get(projectId) : undefined;
    if (n.action === 'node.updated') {
      const node = project?.nodes.get(event.node_id as string);
      if (project && node && node.applyCompute(event)) project.nodeChanged(node);
      return;
    }
    // Our own full-JSON node.deleted follows; the compute's short form would only confuse clients.
    if (n.action === 'node.deleted') return;
    if (project) project.emit(n.action, n.event);
    else this.hub.allProjects(n.action, n.event);
  }

  // ---- projects ----

  getProject(projectId: string): ControllerProject {
    const project = this.projects.get(projectId);
    if (!project) throw fail('PROJECT_NOT_FOUND', projectId);
    return project;
  }

  async #registerFromFile(file: string): Promise<ControllerProject> {
    const topology = parseTopology(await readFile(file, 'utf8'));
    const existing = this.projects.get(topology.project_id);
    if (existing) return existing;
    const project = new ControllerProject(this, {
      id: topology.project_id,
      name: topology.name,
      path: dirname(file),
      filename: basename(file),
      settings: { ...DEFAULT_PROJECT_SETTINGS, ...Object.fromEntries(Object.entries(topology).filter(([k]) => k in DEFAULT_PROJECT_SETTINGS)) },
    });
    this.projects.set(project.id, project);
    return project;
  }

  /** Registers a project already on disk (import, duplicate, load) as closed. */
  registerFromFile(file: string): Promise<ControllerProject> {
    return this.#registerFromFile(file);
  }

  /** A free project name: `name`, then `name-1`, `name-2`… (used by import and duplicate). */
  freeProjectName(name: string): string {
    const taken = new Set([...this.projects.values()].map((p) => p.name));
    if (!taken.has(name)) return name;
    for (let n = 1; ; n++) if (!taken.has(`${name}-${n}`)) return `${name}-${n}`;
  }

  /** Where a project lives: `path` if given and allowed, else `<projectsDir>/<id>`. */
  async projectPath(projectId: string, path: string | null | undefined, mustNotExist: boolean): Promise<string> {
    if (!path) return join(this.options.projectsDir, projectId);
    if (path.includes('"')) throw fail('PROJECT_PATH_QUOTE');
    const absolute = resolve(path);
    if (!this.options.local && !absolute.startsWith(this.options.projectsDir + '/')) throw fail('PROJECT_PATH_NOT_ALLOWED');
    if (mustNotExist && (await stat(absolute).then(() => true, () => false))) throw fail('PROJECT_PATH_EXISTS', path);
    return absolute;
  }

  async createProject(input: Partial<ProjectSettings> & { name: string; project_id?: string; path?: string | null }): Promise<ControllerProject> {
    if (input.project_id && this.projects.has(input.project_id)) return this.projects.get(input.project_id)!;
    if ([...this.projects.values()].some((p) => p.name === input.name)) throw fail('PROJECT_NAME_TAKEN', input.name);
    const id = input.project_id ?? randomUUID();
    const path = await this.projectPath(id, input.path, !input.project_id);
    const { name, project_id: _id, path: _path, ...settings } = input;
    void _id;
    void _path;
    const project = new ControllerProject(this, {
      id,
      name,
      path,
      filename: `${name}.gns3`,
      settings: { ...DEFAULT_PROJECT_SETTINGS, ...Object.fromEntries(Object.entries(settings).filter(([, v]) => v !== undefined)) },
    });
    this.projects.set(id, project);
    project.status = 'opened';
    try {
      await mkdir(join(path, 'project-files'), { recursive: true });
      await project.save();
    } catch (err) {
      this.projects.delete(id);
      throw fail('PROJECT_CREATE_DIRECTORY_FAILED', path, (err as Error).message);
    }
    this.hub.controller('project.created', project.toJSON());
    return project;
  }

  async deleteProject(project: ControllerProject): Promise<void> {
    await project.close({ emit: true });
    const remote = [...this.computes.values()].filter((c) => c.id !== 'local' && c.connected);
    await Promise.allSettled(remote.map((c) => c.query('DELETE', `/projects/${project.id}`, undefined, { dontConnect: true })));
    this.projects.delete(project.id);
    await rm(project.path, { recursive: true, force: true });
    this.hub.controller('project.deleted', project.toJSON());
  }

  /** POST /v2/projects/load (local mode only): registers and opens a `.gns3` file from anywhere. */
  async loadProject(file: string): Promise<ControllerProject> {
    if (!this.options.local) throw fail('LOCAL_CONTROLLER_ONLY');
    const project = await this.#registerFromFile(resolve(file));
    await project.open();
    return project;
  }

  // ---- state file ----

  /** Writes the state file (remote computes with credentials, user templates), serialised and atomic. */
  saveConfig(): Promise<void> {
    this.#configWrite = this.#configWrite.then(async () => {
      const config = {
        computes: [...this.computes.values()].filter((c) => c.id !== 'local' && c.id !== 'vm').map((c) => c.settings),
        templates: [...this.templates.values()],
        iou_license: this.iouLicense,
        gns3vm: this.gns3vm,
        version: this.version,
      };
      await mkdir(dirname(this.options.configFile), { recursive: true });
      await atomicWrite(this.options.configFile, toSortedJson(config) + '\n');
    });
    return this.#configWrite;
  }
}
