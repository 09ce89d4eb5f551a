/** Drawing routes of a project. */
import { Hono } from 'hono';
import type { Controller } from '../../controller/controller.ts';
import { body } from '../validate.ts';
import { DrawingBody } from '../../controller/schemas.ts';
import { projectScope } from './project-scope.ts';

export function drawingRoutes(controller: Controller): Hono {
  const app = new Hono();
  const { project } = projectScope(controller);

  app.get('/projects/:project_id/drawings', async (c) => {
    const p = await project(c);
    if (p.status !== 'opened') return c.json((await p.readFile()).topology.drawings);
    return c.json([...p.drawings.values()].map((d) => d.toJSON()));
  });
  app.post('/projects/:project_id/drawings', async (c) => {
    const input = await body(c, DrawingBody);
    const p = await project(c);
    const { project_id: _p, ...fields } = input;
    void _p;
    return c.json((await p.addDrawing(fields)).toJSON(), 201);
  });
  app.get('/projects/:project_id/drawings/:drawing_id', async (c) => c.json((await project(c)).getDrawing(c.req.param('drawing_id')).toJSON()));
  app.put('/projects/:project_id/drawings/:drawing_id', async (c) => {
    const input = await body(c, DrawingBody);
    const p = await project(c);
    const drawing = p.getDrawing(c.req.param('drawing_id'));
    const { project_id: _p, drawing_id: _d, ...fields } = input;
    void [_p, _d];
    await p.updateDrawing(drawing, fields);
    return c.json(drawing.toJSON(), 201);
  });
  app.delete('/projects/:project_id/drawings/:drawing_id', async (c) => {
    const p = await project(c);
    await p.deleteDrawing(p.getDrawing(c.req.param('drawing_id')));
    return c.body(null, 204);
  });

  return app;
}
