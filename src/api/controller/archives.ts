/** Routes built on project archives: export, import, duplicate and snapshots. */
import { Hono } from 'hono';
import * as v from 'valibot';
import type { Controller } from '../../controller/controller.ts';
import {
  archiveSource, createSnapshot, deleteSnapshot, duplicateProject, exportProject, findSnapshot, importProject, listSnapshots, restoreSnapshot,
} from '../../controller/archive.ts';
import { Uuid } from '../../compute/schemas.ts';
import { body } from '../validate.ts';
import { check } from '../../errors/validation.ts';
import { ProjectDuplicate, SnapshotCreate } from '../../controller/schemas.ts';

const YesNo = v.optional(v.picklist(['yes', 'no', 'true', 'false']));
const ExportQuery = v.object({
  include_snapshots: YesNo,
  include_images: YesNo,
  reset_mac_addresses: YesNo,
  keep_compute_ids: YesNo,
  compression: v.optional(v.picklist(['zip', 'none', 'bzip2', 'lzma'])),
});
const ImportQuery = v.object({ name: v.optional(v.pipe(v.string(), v.minLength(1))), path: v.optional(v.string()) });
const yes = (value: string | undefined) => value === 'yes' || value === 'true';

export function archiveRoutes(controller: Controller): Hono {
  const app = new Hono();
  const project = async (id: string) => {
    const p = controller.getProject(id);
    await p.ready();
    return p;
  };

  app.get('/projects/:project_id/export', async (c) => {
    const p = await project(c.req.param('project_id'));
    const query = check(ExportQuery, c.req.query());
    const zip = await exportProject(p, {
      includeSnapshots: yes(query.include_snapshots),
      resetMacAddresses: yes(query.reset_mac_addresses),
      keepComputeIds: yes(query.keep_compute_ids),
      method: query.compression === 'none' ? 'store' : 'deflate',
    });
    return c.body(zip as Uint8Array<ArrayBuffer>, 200, {
      'Content-Type': 'application/gns3project',
      'Content-Disposition': `attachment; filename="${p.name}.gns3project"`,
    });
  });

  app.post('/projects/:project_id/import', async (c) => {
    const projectId = check(Uuid, c.req.param('project_id'));
    const query = check(ImportQuery, c.req.query());
    const imported = await importProject(controller, projectId, archiveSource(c.req.raw.body), { name: query.name, path: query.path });
    return c.json(imported.toJSON(), 201);
  });

  app.post('/projects/:project_id/duplicate', async (c) => {
    const input = await body(c, ProjectDuplicate);
    const p = await project(c.req.param('project_id'));
    return c.json((await duplicateProject(controller, p, input.name)).toJSON(), 201);
  });

  app.get('/projects/:project_id/snapshots', async (c) =>
    c.json((await listSnapshots(await project(c.req.param('project_id')))).map(({ file: _file, ...s }) => s)));
  app.post('/projects/:project_id/snapshots', async (c) => {
    const { name } = await body(c, SnapshotCreate);
    return c.json(await createSnapshot(await project(c.req.param('project_id')), name), 201);
  });
  app.delete('/projects/:project_id/snapshots/:snapshot_id', async (c) => {
    const p = await project(c.req.param('project_id'));
    await deleteSnapshot(p, await findSnapshot(p, c.req.param('snapshot_id')));
    return c.body(null, 204);
  });
  app.post('/projects/:project_id/snapshots/:snapshot_id/restore', async (c) => {
    const p = await project(c.req.param('project_id'));
    await restoreSnapshot(controller, p, await findSnapshot(p, c.req.param('snapshot_id')));
    return c.json(p.toJSON(), 201);
  });
  return app;
}
