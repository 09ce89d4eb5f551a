/** Project routes: list, create, load, read, update, delete, open, close, stats. */
import { Hono } from 'hono';
import type { Controller } from '../../controller/controller.ts';
import { snapshotFiles } from '../../controller/snapshots.ts';
import { body } from '../validate.ts';
import { ProjectCreate, ProjectLoad, ProjectUpdate } from '../../controller/schemas.ts';
import { projectScope } from './project-scope.ts';

export function projectRoutes(controller: Controller): Hono {
  const app = new Hono();
  const { project } = projectScope(controller);

  app.get('/projects', (c) => c.json([...controller.projects.values()].map((p) => p.toJSON())));
  app.post('/projects', async (c) => c.json((await controller.createProject(await body(c, ProjectCreate))).toJSON(), 201));
  app.post('/projects/load', async (c) => {
    if (!controller.options.local) return c.body(null, 403);
    const { path } = await body(c, ProjectLoad);
    return c.json((await controller.loadProject(path)).toJSON(), 201);
  });
  app.get('/projects/:project_id', async (c) => c.json((await project(c)).toJSON()));
  app.put('/projects/:project_id', async (c) => {
    const p = await project(c);
    const { path: _path, ...fields } = await body(c, ProjectUpdate);
    void _path;
    await p.update(fields);
    return c.json(p.toJSON());
  });
  app.delete('/projects/:project_id', async (c) => {
    await controller.deleteProject(await project(c));
    return c.body(null, 204);
  });
  app.post('/projects/:project_id/open', async (c) => {
    const p = await project(c);
    await p.open();
    return c.json(p.toJSON(), 201);
  });
  app.post('/projects/:project_id/close', async (c) => {
    await (await project(c)).close();
    return c.body(null, 204);
  });
  app.get('/projects/:project_id/stats', async (c) => {
    const p = await project(c);
    return c.json(p.stats((await snapshotFiles(p)).length));
  });

  return app;
}
