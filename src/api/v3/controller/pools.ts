/** `/v3/pools`: resource pools (groups of projects that ACL entries on `/pools/<id>` give access to). */
import { Hono } from 'hono';
import type { Access } from '../../../access/index.ts';
import type { Pool } from '../../../access/store.ts';
import type { Controller } from '../../../controller/controller.ts';
import { guard, type V3Env } from '../auth.ts';
import { v3ErrorHandler } from '../errors.ts';
import { PoolBody, PoolUpdate } from '../schemas.ts';
import { uuidParam, v3Body } from '../validate.ts';

const poolJson = (p: Pool) => ({ name: p.name, created_at: p.created_at, updated_at: p.updated_at, resource_pool_id: p.resource_pool_id });

export function poolRoutes(controller: Controller, access: Access): Hono<V3Env> {
  const { store } = access;
  const app = new Hono<V3Env>();
  app.onError(v3ErrorHandler);
  const can = (privilege: string) => guard(access, privilege);

  app.get('/pools', can('Pool.Audit'), (c) => c.json(store.pools.map(poolJson)));
  app.post('/pools', can('Pool.Allocate'), async (c) => c.json(poolJson(await store.createPool((await v3Body(c, PoolBody)).name)), 201));
  app.get('/pools/:pool_id', can('Pool.Audit'), (c) => c.json(poolJson(store.pool(uuidParam(c, 'pool_id')))));
  app.put('/pools/:pool_id', can('Pool.Modify'), async (c) => {
    const pool = store.pool(uuidParam(c, 'pool_id'));
    return c.json(poolJson(await store.renamePool(pool, (await v3Body(c, PoolUpdate)).name)));
  });
  app.delete('/pools/:pool_id', can('Pool.Allocate'), async (c) => {
    await store.deletePool(store.pool(uuidParam(c, 'pool_id')));
    return c.body(null, 204);
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
