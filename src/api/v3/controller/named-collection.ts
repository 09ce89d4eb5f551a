/** The five routes 3.0 serves for a collection of named objects (user groups, resource pools). */
import type { Hono } from 'hono';
import type * as v from 'valibot';
import type { Access } from '../../../access/index.ts';
import { guard, type V3Env } from '../auth.ts';
import { uuidParam, v3Body } from '../validate.ts';

/** Where the collection is served and how its bodies and items look. */
export type CollectionRoutes<T> = {
  /** e.g. `/access/groups`; items live at `<path>/:<param>`. */
  path: string;
  param: string;
  /** Privilege object: `Group` gives Group.Audit / Allocate / Modify. */
  object: string;
  body: v.GenericSchema<unknown, { name: string }>;
  update: v.GenericSchema<unknown, { name?: string }>;
  json(item: T): unknown;
};

/** What the store does for the collection. */
export type NamedCollection<T> = {
  list(): readonly T[];
  find(id: string): T;
  create(name: string): Promise<T>;
  rename(item: T, name: string | undefined): Promise<T>;
  remove(item: T): Promise<void>;
};

/** List, create `{name}` (201), get, rename (200), delete (204), each behind its `<object>.<action>` privilege. */
export function namedCollectionRoutes<T>(app: Hono<V3Env>, access: Access, routes: CollectionRoutes<T>, store: NamedCollection<T>): void {
  const spec = { ...routes, ...store };
  const can = (action: string) => guard(access, `${spec.object}.${action}`);
  const item = `${spec.path}/:${spec.param}`;
  app.get(spec.path, can('Audit'), (c) => c.json(spec.list().map(spec.json)));
  app.post(spec.path, can('Allocate'), async (c) => c.json(spec.json(await spec.create((await v3Body(c, spec.body)).name)), 201));
  app.get(item, can('Audit'), (c) => c.json(spec.json(spec.find(uuidParam(c, spec.param)))));
  app.put(item, can('Modify'), async (c) => {
    const found = spec.find(uuidParam(c, spec.param));
    return c.json(spec.json(await spec.rename(found, (await v3Body(c, spec.update)).name)));
  });
  app.delete(item, can('Allocate'), async (c) => {
    await spec.remove(spec.find(uuidParam(c, spec.param)));
    return c.body(null, 204);
  });
}
