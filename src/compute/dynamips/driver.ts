/**
 * The `dynamips` node type: schemas, the IOS image store, per-project Dynamips ids, ghost RAM files, the factory
 * (the router code loads with the first router).
 */
import { rm } from 'node:fs/promises';
import type { NodeDriver } from '../drivers.ts';
import type { BaseNode, NodeInit } from '../node.ts';
import { ImageStore } from '../qemu/images.ts';
import type { ImageDriver } from '../qemu/driver.ts';
import { fail } from '../../errors/index.ts';
import { IdPool } from '../id-pool.ts';
import { IOS_ELF_HEADER } from './ios-image.ts';
import type { DynamipsRouter, GhostRegistry } from './router-node.ts';
import { DynamipsCreate, DynamipsUpdate } from './schemas.ts';

/** gns3-server numbers routers 1..4096 per project. */
const MAX_DYNAMIPS_ID = 4096;
const LITTLE_ENDIAN_ELF = Buffer.from([0x7f, 0x45, 0x4c, 0x46, 0x01, 0x01, 0x01]);

export type DynamipsDriverOptions = { imagesDir: string; ghostRam?: boolean };

export function dynamipsDriver({ imagesDir, ghostRam = true }: DynamipsDriverOptions): ImageDriver & NodeDriver {
  // gns3-server lists `.image` and `.bin` files that start like a 32-bit ELF file.
  const images = new ImageStore(imagesDir, 'IOS', {
    outside: (name, dir) => fail('DYNAMIPS_IMAGE_OUTSIDE', name, dir),
    listed: (name, head) => /\.(image|bin)$/.test(name) && (head.equals(IOS_ELF_HEADER) || head.equals(LITTLE_ENDIAN_ELF)),
  });
  const ids = new IdPool({ first: 1, last: MAX_DYNAMIPS_ID }, {
    exhausted: () => fail('DYNAMIPS_IDS_EXHAUSTED'),
    taken: (id) => fail('DYNAMIPS_ID_TAKEN', id),
  });
  const ghostFiles = new Map<string, Set<string>>();
  let ghostQueue: Promise<unknown> = Promise.resolve();
  const ghostsOf = (projectId: string): GhostRegistry => {
    const files = ghostFiles.get(projectId) ?? new Set<string>();
    ghostFiles.set(projectId, files);
    return {
      files,
      // One ghost at a time per agent, as gns3-server's lock: two routers must not both build the same file.
      lock: (task) => {
        const run = ghostQueue.then(task, task);
        ghostQueue = run.catch(() => undefined);
        return run;
      },
    };
  };

  return {
    type: 'dynamips',
    createSchema: DynamipsCreate,
    updateSchema: DynamipsUpdate,
    images,
    async create(init: NodeInit, fields: Record<string, unknown>) {
      const body = fields as DynamipsCreate;
      const { DynamipsRouter } = await import('./router-node.ts');
      return ids.lend(init.project.id, async (dynamipsId) => {
        const router = await DynamipsRouter.create({ ...init, dynamipsId, images, ghosts: ghostsOf(init.project.id), ghostRam }, body);
        await router.refreshImageMd5();
        return router;
      }, body.dynamips_id);
    },
    forget(node: BaseNode) {
      const projectId = node.project.id;
      ids.release(projectId, (node as DynamipsRouter).dynamipsId);
      // The project's last router is gone: its ghost RAM files go too (gns3-server deletes them at project close).
      if ([...node.project.nodes].some((other) => other !== node && other.type === 'dynamips')) return;
      const files = ghostFiles.get(projectId);
      ghostFiles.delete(projectId);
      ids.clear(projectId);
      for (const file of files ?? []) void rm(file, { force: true });
    },
  };
}
