/**
 * Portable project archives (`.gns3project` zip: `project.gns3` plus project files), and what is built on them:
 * export, import, duplicate and snapshots. Exports are built in memory (projects are small next to their images,
 * which are never included); imports are streamed to disk within IMPORT_LIMITS, since any client may send one.
 */
import { createHash, randomUUID } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { mkdir, readdir, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import { Readable } from 'node:stream';
import type { ReadableStream as NodeReadableStream } from 'node:stream/web';
import { basename, dirname, join, relative, sep } from 'node:path';
import { atomicWrite } from '../storage/atomic-write.ts';
import { resolveInside } from '../storage/safe-path.ts';
import type { Controller } from './controller.ts';
import type { ControllerProject } from './project.ts';
import { parseSnapshotFile, snapshotFileName, snapshotFiles } from './snapshots.ts';
import { parseTopology, serializeTopology, type TopologyFile } from './topology.ts';
import type { ZipMethod } from './zip-archive.ts';
import type { ArchiveSource, ExtractLimits } from './zip-extract.ts';
import { fail, isError } from '../errors/index.ts';

/** The ZIP code (fflate, fzstd and the zstd WebAssembly glue, ≈ 1 MiB of RSS) loads with the first archive built or read. */
const zipCode = () => import('./zip-archive.ts');
const zipReader = () => import('./zip-extract.ts');

export type ExportOptions = {
  includeSnapshots?: boolean; resetMacAddresses?: boolean; keepComputeIds?: boolean;
  /** How members are compressed (default deflate); `level` is the method's own scale. */
  method?: ZipMethod; level?: number;
};

/** Files never exported (GNS3's list): temp and capture folders, logs, the topology itself (sent as project.gns3). */
function excluded(path: string, project: ControllerProject, includeSnapshots: boolean): boolean {
  const parts = path.split(sep);
  if (!includeSnapshots && parts[0] === 'snapshots') return true;
  if (parts[0] === 'project-files' && (parts[1] === 'tmp' || parts[1] === 'captures')) return true;
  const name = parts.at(-1)!;
  return name === project.filename || name.endsWith('.gns3.backup') || name.endsWith('.log') || name.endsWith('_log.txt') || name === '.DS_Store' || name.endsWith('.tmp');
}

async function walk(root: string, dir = root, out: string[] = []): Promise<string[]> {
  for (const entry of await readdir(dir, { withFileTypes: true }).catch(() => [])) {
    const full = join(dir, entry.name);
    if (entry.isDirectory()) await walk(root, full, out);
    else if (entry.isFile()) out.push(relative(root, full));
  }
  return out;
}

/** The project's topology, from memory when opened, else from its file. */
async function currentTopology(project: ControllerProject): Promise<TopologyFile> {
  return project.status === 'opened' ? project.topology() : project.readFile();
}

export async function exportProject(project: ControllerProject, options: ExportOptions = {}): Promise<Uint8Array> {
  if ([...project.nodes.values()].some((n) => n.running)) throw fail('PROJECT_RUNNING_EXPORT');
  const topology = structuredClone(await currentTopology(project));
  for (const node of topology.topology.nodes) {
    if (!options.keepComputeIds) node.compute_id = 'local';
    if (options.resetMacAddresses && node.properties) {
      for (const key of ['mac_addr', 'mac_address']) if (key in node.properties) node.properties[key] = null;
    }
  }
  if (!options.keepComputeIds) topology.topology.computes = [];
  const entries: Record<string, Uint8Array> = { 'project.gns3': new TextEncoder().encode(serializeTopology(topology)) };
  for (const path of await walk(project.path)) {
    if (!excluded(path, project, options.includeSnapshots ?? false)) entries[path.split(sep).join('/')] = new Uint8Array(await readFile(join(project.path, path)));
  }
  // Files of nodes on remote computes live there: pull them (GNS3 does the same through the files API).
  const remote = new Set([...project.nodes.values()].filter((n) => n.compute.id !== 'local' && n.compute.connected).map((n) => n.compute));
  for (const compute of remote) {
    const list = ((await compute.query('GET', `/projects/${project.id}/files`).catch(() => [])) ?? []) as Array<{ path: string }>;
    for (const { path } of list) {
      if (!path.startsWith('project-files') || excluded(path, project, false)) continue;
      const response = await compute.fetch('GET', `/projects/${project.id}/files/${path}`);
      if (response.ok) entries[path] = new Uint8Array(await response.arrayBuffer());
    }
  }
  return (await zipCode()).zipArchive(entries, options.method ?? 'deflate', options.level);
}

const GiB = 1024 ** 3;
/**
 * What an imported archive may inflate to by default (import_max_* options). Portable projects carry QEMU disks (and, exported with their images, base
 * images of several GiB; GNS3 itself extracts without any limit), so one member may reach 64 GiB and all of them
 * 256 GiB; what crosses that is a bomb, refused as it crosses, never written in full. Extraction writes to disk, so
 * memory is not what these protect: the projects' file system is.
 */
export const IMPORT_LIMITS: ExtractLimits = { memberBytes: 64 * GiB, totalBytes: 256 * GiB, members: 100_000 };
/** project.gns3 is parsed in memory: JSON of thousands of nodes stays far below this. */
const TOPOLOGY_LIMIT_BYTES = 64 * 1024 * 1024;

/** The hidden folder an import extracts into, beside the project's own. */
const importStagingDir = (dir: string) => join(dirname(dir), `.${basename(dir)}.import-${randomUUID()}`);
/** True for the name of such a folder: one left by an agent that died mid-import is removed at the next start. */
export const isImportStaging = (name: string): boolean => /^\..*\.import-[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/.test(name);

/** An HTTP request body as an archive source (an empty body is an empty archive, refused as an invalid zip). */
export function archiveSource(body: ReadableStream<Uint8Array> | null): ArchiveSource {
  return body ? Readable.fromWeb(body as NodeReadableStream<Uint8Array>) : [];
}

/**
 * Imports an archive as project `projectId` (closed). When the archive's own id equals `projectId` this is a snapshot
 * restore: ids and name are kept and the project files are replaced. The archive is extracted as it is read, into a
 * hidden folder beside the project's, then moved into place; whatever fails (a limit of IMPORT_LIMITS crossed, a
 * broken archive, a full disk) leaves nothing behind but what was there before.
 */
export async function importProject(
  controller: Controller,
  projectId: string,
  archive: ArchiveSource,
  options: { name?: string; path?: string; keepComputeIds?: boolean } = {},
): Promise<ControllerProject> {
  const existing = controller.projects.get(projectId);
  const dir = existing?.path ?? (await controller.projectPath(projectId, options.path, false));
  const staging = importStagingDir(dir);
  const madeDir = !(await stat(dir).then(() => true, () => false));
  try {
    const members = await (await zipReader()).extractZip(archive, staging, controller.options.importLimits ?? IMPORT_LIMITS);
    if (!members.includes('project.gns3')) throw fail('ARCHIVE_NO_TOPOLOGY');
    const topologyFile = join(staging, 'project.gns3');
    if ((await stat(topologyFile)).size > TOPOLOGY_LIMIT_BYTES) {
      throw fail('ARCHIVE_LIMIT', `project.gns3 is larger than ${TOPOLOGY_LIMIT_BYTES} bytes`);
    }
    const topology = parseTopology(await readFile(topologyFile, 'utf8'));
    const restore = topology.project_id === projectId;
    const name = restore ? (existing?.name ?? topology.name) : controller.freeProjectName(options.name ?? topology.name);
    const filename = existing?.filename ?? `${name}.gns3`;

    const nodeIds = new Map<string, string>();
    if (!restore) {
      for (const node of topology.topology.nodes) nodeIds.set(node.node_id, randomUUID());
      for (const node of topology.topology.nodes) node.node_id = nodeIds.get(node.node_id)!;
      for (const link of topology.topology.links) {
        link.link_id = randomUUID();
        for (const end of link.nodes) end.node_id = nodeIds.get(end.node_id) ?? end.node_id;
      }
      for (const drawing of topology.topology.drawings) drawing.drawing_id = randomUUID();
      Object.assign(topology, { auto_open: false, auto_start: false, auto_close: true });
    }
    if (!options.keepComputeIds) {
      for (const node of topology.topology.nodes) node.compute_id = 'local';
      topology.topology.computes = [];
    }
    Object.assign(topology, { project_id: projectId, name });

    await mkdir(dir, { recursive: true });
    for (const path of members) {
      if (path === 'project.gns3') continue;
      // project-files/<type>/<old node id>/... follows its node to the new id.
      const parts = path.split('/');
      if (parts[0] === 'project-files' && parts.length > 2 && nodeIds.has(parts[2])) parts[2] = nodeIds.get(parts[2])!;
      const target = resolveInside(dir, parts.join('/'));
      await mkdir(dirname(target), { recursive: true });
      await rename(resolveInside(staging, path), target);
    }
    await writeFile(join(dir, filename), serializeTopology(topology));
    if (existing) {
      existing.name = name;
      return existing;
    }
    return await controller.registerFromFile(join(dir, filename));
  } catch (err) {
    if (madeDir) await rm(dir, { recursive: true, force: true });
    throw err;
  } finally {
    await rm(staging, { recursive: true, force: true });
  }
}

/** A copy under a new id and a free name (2.2.41 always goes through export + import; the copy comes back closed). */
export async function duplicateProject(controller: Controller, project: ControllerProject, name: string): Promise<ControllerProject> {
  const wasClosed = project.status === 'closed';
  try {
    const archive = await exportProject(project, { keepComputeIds: true, method: 'store' });
    return await importProject(controller, randomUUID(), [archive], { name, keepComputeIds: true });
  } catch (err) {
    if (isError(err)) throw fail('PROJECT_DUPLICATE_FAILED', err.message);
    throw err;
  } finally {
    if (wasClosed && project.status === 'opened') await project.close({ emit: false });
  }
}

// ---- snapshots ----

export type Snapshot = { snapshot_id: string; project_id: string; name: string; created_at: number };

/** Snapshot ids are derived from the file name, so they are stable across restarts (2.2.41 regenerated them). */
function snapshotId(projectId: string, file: string): string {
  const hex = createHash('md5').update(`${projectId}/${file}`).digest('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-4${hex.slice(13, 16)}-8${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
}

export async function listSnapshots(project: ControllerProject): Promise<Array<Snapshot & { file: string }>> {
  const out = [];
  for (const file of await snapshotFiles(project)) {
    const parsed = parseSnapshotFile(file)!;
    out.push({ snapshot_id: snapshotId(project.id, file), project_id: project.id, ...parsed, file });
  }
  return out.sort((a, b) => a.created_at - b.created_at || a.name.localeCompare(b.name));
}

export async function createSnapshot(project: ControllerProject, name: string): Promise<Snapshot> {
  project.requireOpened();
  if ((await listSnapshots(project)).some((s) => s.name === name)) throw fail('SNAPSHOT_NAME_TAKEN', name);
  const now = new Date();
  const file = snapshotFileName(name, now);
  // The name becomes a file name: a separator would put the archive elsewhere (or outside the project), and a name
  // the file system refuses (too long, say) is the client's mistake, not a 500.
  if (file !== basename(file) || file.includes('\0')) throw fail('PATH_FORBIDDEN');
  const archive = await exportProject(project, { keepComputeIds: true, method: 'store' });
  await mkdir(join(project.path, 'snapshots'), { recursive: true });
  const target = join(project.path, 'snapshots', file);
  await atomicWrite(target, archive).catch((err: NodeJS.ErrnoException) => {
    throw err.code ? fail('FILE_WRITE_FAILED', target, err.message) : err;
  });
  return { snapshot_id: snapshotId(project.id, file), project_id: project.id, name, created_at: Math.floor(now.getTime() / 1000) };
}

export async function findSnapshot(project: ControllerProject, snapshotIdValue: string): Promise<Snapshot & { file: string }> {
  const found = (await listSnapshots(project)).find((s) => s.snapshot_id === snapshotIdValue);
  if (!found) throw fail('SNAPSHOT_NOT_FOUND', snapshotIdValue);
  return found;
}

export async function deleteSnapshot(project: ControllerProject, snapshot: { file: string }): Promise<void> {
  await rm(join(project.path, 'snapshots', snapshot.file), { force: true });
}

/** Closes the project quietly, replaces its files with the snapshot's, and opens it again. */
export async function restoreSnapshot(controller: Controller, project: ControllerProject, snapshot: Snapshot & { file: string }): Promise<void> {
  const archive = join(project.path, 'snapshots', snapshot.file);
  await project.close({ emit: false });
  await rm(join(project.path, 'project-files'), { recursive: true, force: true });
  await importProject(controller, project.id, createReadStream(archive), { keepComputeIds: true });
  await project.open();
  project.emit('snapshot.restored', { snapshot_id: snapshot.snapshot_id, project_id: project.id, name: snapshot.name, created_at: snapshot.created_at });
}
