/** The routes of a collection a project holds (links, drawings): list, create, read, update, delete. */
import { Hono, type Context } from 'hono';
import type * as v from 'valibot';
import type { Controller } from '../../controller/controller.ts';
import type { ControllerProject } from '../../controller/project.ts';
import { body } from '../validate.ts';
import { projectScope } from './project-scope.ts';

export type CollectionSpec<T, C extends v.GenericSchema, U extends v.GenericSchema> = {
  /** The collection's name in paths and in the .gns3 file; items are addressed by `:<singular>_id`. */
  kind: 'links' | 'drawings';
  find: (project: ControllerProject, id: string) => T;
  create: [C, (project: ControllerProject, input: v.InferOutput<C>) => Promise<T>];
  update: [U, (project: ControllerProject, item: T, input: v.InferOutput<U>) => Promise<void>];
  remove: (project: ControllerProject, item: T) => Promise<void>;
};

/**
 * Registers `/projects/:project_id/<kind>` and `…/<kind>/:<item>_id` with GNS3's statuses (201 for create and for
 * update, 204 for delete); a body is validated before the project is looked up. Returns the app for further routes.
 *
 * @example
 * const app = collectionRoutes(controller, { kind: 'drawings', find: (p, id) => p.getDrawing(id), … });
 */
export function collectionRoutes<T extends { toJSON(): unknown }, C extends v.GenericSchema, U extends v.GenericSchema>(
  controller: Controller,
  spec: CollectionSpec<T, C, U>,
): Hono {
  const app = new Hono();
  const { project, listOf } = projectScope(controller);
  const [createBody, create] = spec.create;
  const [updateBody, update] = spec.update;
  const path = `/projects/:project_id/${spec.kind}`;
  const idParam = `${spec.kind.slice(0, -1)}_id`;
  const item = async (c: Context) => {
    const p = await project(c);
    return { p, item: spec.find(p, c.req.param(idParam)!) };
  };

  app.get(path, listOf(spec.kind));
  app.post(path, async (c) => {
    const input = await body(c, createBody);
    return c.json((await create(await project(c), input)).toJSON(), 201);
  });
  app.get(`${path}/:${idParam}`, async (c) => c.json((await item(c)).item.toJSON()));
  app.put(`${path}/:${idParam}`, async (c) => {
    const input = await body(c, updateBody);
    const found = await item(c);
    await update(found.p, found.item, input);
    return c.json(found.item.toJSON(), 201);
  });
  app.delete(`${path}/:${idParam}`, async (c) => {
    const found = await item(c);
    await spec.remove(found.p, found.item);
    return c.body(null, 204);
  });
  return app;
}
