/** Drawing routes of a project. */
import type { Hono } from 'hono';
import type { Controller } from '../../controller/controller.ts';
import { DrawingBody } from '../../controller/schemas.ts';
import { collectionRoutes } from './collection-routes.ts';

export function drawingRoutes(controller: Controller): Hono {
  return collectionRoutes(controller, {
    kind: 'drawings',
    find: (p, id) => p.getDrawing(id),
    // The ids in a body are the path's: only the drawing's own fields are taken.
    create: [DrawingBody, (p, { project_id: _p, ...fields }) => p.addDrawing(fields)],
    update: [DrawingBody, (p, drawing, { project_id: _p, drawing_id: _d, ...fields }) => p.updateDrawing(drawing, fields)],
    remove: (p, drawing) => p.deleteDrawing(drawing),
  });
}
