/** Files inside a project folder, read and written through the controller. */
import { Hono } from 'hono';
import type { Controller } from '../../controller/controller.ts';
import { readProjectFile, writeProjectFile } from '../../storage/project-files.ts';
import { decodeParam } from '../validate.ts';
import { projectScope } from './project-scope.ts';

export function projectFileRoutes(controller: Controller): Hono {
  const app = new Hono();
  const { project } = projectScope(controller);

  app.get('/projects/:project_id/files/:path{.+}', async (c) => {
    const data = await readProjectFile((await project(c)).path, decodeParam(c.req.param('path')));
    return c.body(data as Uint8Array<ArrayBuffer>, 200, { 'Content-Type': 'application/octet-stream' });
  });
  app.post('/projects/:project_id/files/:path{.+}', async (c) => {
    await writeProjectFile((await project(c)).path, decodeParam(c.req.param('path')), new Uint8Array(await c.req.arrayBuffer()));
    return c.body(null, 201);
  });

  return app;
}
