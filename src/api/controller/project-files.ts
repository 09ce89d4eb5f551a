/** Files inside a project folder, read and written through the controller. */
import { Hono } from 'hono';
import { readFile, stat, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import type { Controller } from '../../controller/controller.ts';
import { resolveInside } from '../../storage/safe-path.ts';
import { decodeParam } from '../validate.ts';
import { fail } from '../../errors/index.ts';
import { projectScope } from './project-scope.ts';

export function projectFileRoutes(controller: Controller): Hono {
  const app = new Hono();
  const { project } = projectScope(controller);

  app.get('/projects/:project_id/files/:path{.+}', async (c) => {
    const p = await project(c);
    const file = resolveInside(p.path, decodeParam(c.req.param('path')));
    const data = await readFile(file).catch(() => {
      throw fail('FILE_NOT_FOUND');
    });
    return c.body(new Uint8Array(data), 200, { 'Content-Type': 'application/octet-stream' });
  });
  app.post('/projects/:project_id/files/:path{.+}', async (c) => {
    const p = await project(c);
    const file = resolveInside(p.path, decodeParam(c.req.param('path')));
    if (!(await stat(dirname(file)).then((s) => s.isDirectory(), () => false))) throw fail('FILE_NOT_FOUND');
    await writeFile(file, new Uint8Array(await c.req.arrayBuffer())).catch((err: Error) => {
      throw fail('FILE_WRITE_FAILED', file, err.message);
    });
    return c.body(null, 201);
  });

  return app;
}
