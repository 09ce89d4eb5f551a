/** `/v3` routes built on project archives: export, import, duplicate and snapshots, over the same domain as /v2. */
import { Hono, type Context } from 'hono';
import * as v from 'valibot';
import type { Access } from '../../../access/index.ts';
import {
  archiveSource, createSnapshot, deleteSnapshot, duplicateProject, exportProject, findSnapshot, importProject, listSnapshots, restoreSnapshot,
} from '../../../controller/archive.ts';
import type { Controller } from '../../../controller/controller.ts';
import type { ZipMethod } from '../../../controller/zip-archive.ts';
import { fail } from '../../../errors/index.ts';
import { guard, type V3Env } from '../auth.ts';
import { unprocessable, v3ErrorHandler } from '../errors.ts';
import { queryFlag, uuidParam, v3Body } from '../validate.ts';

const Named = v.object({ name: v.pipe(v.string(), v.minLength(1)) });

/** 3.0's `compression` values patchbay writes, as ZIP methods, with the level range each accepts. */
const METHODS: Record<string, { method: ZipMethod; levels?: [number, number]; label: string }> = {
  zstd: { method: 'zstd', levels: [1, 22], label: 'Zstandard' },
  zip: { method: 'deflate', levels: [0, 9], label: 'ZIP' },
  none: { method: 'store', label: 'none' },
};

/**
 * `compression` and `compression_level` of an export, checked as 3.0 checks them. bzip2 and lzma, which 3.0 also
 * writes, are refused with 422 rather than answered in another format.
 */
function exportCompression(c: Context): { method: ZipMethod; level?: number } {
  const name = c.req.query('compression') ?? 'zstd';
  const chosen = METHODS[name];
  if (!chosen) {
    throw unprocessable(`1 validation error:\n  {'type': 'enum', 'loc': ('query', 'compression'), 'msg': 'Input should be ${Object.keys(METHODS).join(', ')}'}`);
  }
  const raw = c.req.query('compression_level');
  if (raw === undefined) return { method: chosen.method };
  const level = Number(raw);
  if (!/^-?\d+$/.test(raw)) {
    throw unprocessable(`1 validation error:\n  {'type': 'int_parsing', 'loc': ('query', 'compression_level'), 'msg': 'Input should be a valid integer'}`);
  }
  if (!chosen.levels) throw fail('EXPORT_LEVEL_UNSUPPORTED', name);
  if (level < chosen.levels[0] || level > chosen.levels[1]) throw fail('EXPORT_LEVEL_RANGE', chosen.levels[0], chosen.levels[1], chosen.label);
  return { method: chosen.method, level };
}

export function archiveRoutes(controller: Controller, access: Access): Hono<V3Env> {
  const app = new Hono<V3Env>();
  app.onError(v3ErrorHandler);
  const can = (privilege: string) => guard(access, privilege);
  const project = async (c: Context) => {
    const p = controller.getProject(uuidParam(c, 'project_id'));
    await p.ready();
    return p;
  };

  app.get('/projects/:project_id/export', can('Project.Audit'), async (c) => {
    const p = await project(c);
    const compression = exportCompression(c);
    const zip = await exportProject(p, {
      includeSnapshots: queryFlag(c, 'include_snapshots', false),
      resetMacAddresses: queryFlag(c, 'reset_mac_addresses', false),
      keepComputeIds: queryFlag(c, 'keep_compute_ids', false),
      ...compression,
    });
    const ascii = p.name.replace(/[^\x20-\x7e]|"/g, '_');
    return c.body(zip as Uint8Array<ArrayBuffer>, 200, {
      'Content-Type': 'application/gns3project',
      'Content-Disposition': `attachment; filename="${ascii}.gns3project"; filename*=UTF-8''${encodeURIComponent(p.name)}.gns3project`,
    });
  });
  app.post('/projects/:project_id/import', can('Project.Allocate'), async (c) => {
    const projectId = uuidParam(c, 'project_id');
    const imported = await importProject(controller, projectId, archiveSource(c.req.raw.body), { name: c.req.query('name') || undefined });
    return c.json(imported.toJSON(), 201);
  });
  app.post('/projects/:project_id/duplicate', can('Project.Audit'), async (c) => {
    const { name } = await v3Body(c, Named);
    const source = await project(c);
    const copy = await duplicateProject(controller, source, controller.freeProjectName(name));
    // A duplicate joins its source's pools, as in 3.0.
    for (const poolId of access.store.poolsOf(source.id)) await access.store.addToPool(access.store.pool(poolId), copy.id);
    return c.json(copy.toJSON(), 201);
  });

  app.get('/projects/:project_id/snapshots', can('Snapshot.Audit'), async (c) =>
    c.json((await listSnapshots(await project(c))).map(({ snapshot_id, name, project_id, created_at }) => ({ name, snapshot_id, project_id, created_at }))));
  app.post('/projects/:project_id/snapshots', can('Snapshot.Allocate'), async (c) => {
    const { name } = await v3Body(c, Named);
    const { snapshot_id, project_id, created_at } = await createSnapshot(await project(c), name);
    return c.json({ name, snapshot_id, project_id, created_at }, 201);
  });
  app.delete('/projects/:project_id/snapshots/:snapshot_id', can('Snapshot.Allocate'), async (c) => {
    const p = await project(c);
    await deleteSnapshot(p, await findSnapshot(p, uuidParam(c, 'snapshot_id')));
    return c.body(null, 204);
  });
  app.post('/projects/:project_id/snapshots/:snapshot_id/restore', can('Snapshot.Restore'), async (c) => {
    const p = await project(c);
    await restoreSnapshot(controller, p, await findSnapshot(p, uuidParam(c, 'snapshot_id')));
    return c.json(p.toJSON(), 201);
  });
  return app;
}
