/** `/v3/pools`: resource pools (groups of projects that ACL entries on `/pools/<id>` give access to). */
import { Hono } from 'hono';
import type { Access } from '../../../access/index.ts';
import type { Pool } from '../../../access/store.ts';
import type { Controller } from '../../../controller/controller.ts';
import { guard, type V3Env } from '../auth.ts';
import { v3ErrorHandler } from '../errors.ts';
import { PoolBody, PoolUpdate } from '../schemas.ts';
import { uuidParam } from '../validate.ts';
import { namedCollectionRoutes } from './named-collection.ts';

const poolJson = (p: Pool) => ({ name: p.name, created_at: p.created_at, updated_at: p.updated_at, resource_pool_id: p.resource_pool_id });

export function poolRoutes(controller: Controller, access: Access): Hono<V3Env> {
  const { store } = access;
  const app = new Hono<V3Env>();
  app.onError(v3ErrorHandler);
  const can = (privilege: string) => guard(access, privilege);

  namedCollectionRoutes(app, access, { path: '/pools', param: 'pool_id', object: 'Pool', body: PoolBody, update: PoolUpdate, json: poolJson }, {
    list: () => store.pools, find: (id) => store.pool(id), create: (name) => store.createPool(name),
    rename: (pool, name) => store.renamePool(pool, name), remove: (pool) => store.deletePool(pool),
  });
  app.get('/pools/:pool_id/resources', can('Pool.Audit'), (c) => {
    const pool = store.pool(uuidParam(c, 'pool_id'));
    return c.json(pool.resources.flatMap((id) => {
      const project = controller.projects.get(id);
      return project ? [{ resource_id: id, resource_type: 'project', name: project.name, created_at: pool.updated_at, updated_at: pool.updated_at }] : [];
    }));
  });
  app.put('/pools/:pool_id/resources/:resource_id', can('Pool.Modify'), async (c) => {
    const pool = store.pool(uuidParam(c, 'pool_id'));
    // Only projects can be pooled.
    const project = controller.getProject(uuidParam(c, 'resource_id'));
    await store.addToPool(pool, project.id);
    return c.body(null, 204);
  });
  app.delete('/pools/:pool_id/resources/:resource_id', can('Pool.Modify'), async (c) => {
    await store.removeFromPool(store.pool(uuidParam(c, 'pool_id')), uuidParam(c, 'resource_id'));
    return c.body(null, 204);
  });
  return app;
}
