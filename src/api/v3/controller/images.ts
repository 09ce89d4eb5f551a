/** `/v3/images`: the controller's image store (list, upload, blank QEMU disks, get, delete, prune, install). */
import { Hono } from 'hono';
import { lstat } from 'node:fs/promises';
import { join } from 'node:path';
import type { Access } from '../../../access/index.ts';
import type { Controller } from '../../../controller/controller.ts';
import type { ImageStore, ImageType } from '../../../controller/image-store.ts';
import { templatesUsing } from '../../../controller/template-images.ts';
import { createImage } from '../../../compute/qemu/disk-images.ts';
import { resolveInside } from '../../../storage/safe-path.ts';
import { fail } from '../../../errors/index.ts';
import { decodeParam } from '../../validate.ts';
import { guard, type V3Env } from '../auth.ts';
import { unprocessable, v3ErrorHandler } from '../errors.ts';
import { QemuDiskImageCreate } from '../../../compute/qemu/schemas.ts';
import { v3Body } from '../validate.ts';

export function imageRoutes(controller: Controller, access: Access, store: ImageStore): Hono<V3Env> {
  const app = new Hono<V3Env>();
  app.onError(v3ErrorHandler);
  const can = (privilege: string) => guard(access, privilege);

  app.get('/images', can('Image.Audit'), async (c) => {
    const type = c.req.query('image_type');
    if (type !== undefined && !['qemu', 'ios', 'iou'].includes(type)) {
      throw unprocessable(`1 validation error:\n  {'type': 'enum', 'loc': ('query', 'image_type'), 'msg': "Input should be 'qemu', 'ios' or 'iou'"}`);
    }
    return c.json(await store.list(type as ImageType | undefined));
  });
  app.post('/images/upload/:image_path{.+}', can('Image.Allocate'), async (c) => {
    const body = c.req.raw.body ?? new Blob([]).stream();
    return c.json(await store.add(decodeParam(c.req.param('image_path')), body), 201);
  });
  /** A blank QEMU disk made with qemu-img in the QEMU images folder (3.0 allows raw images by default, so do we). */
  app.post('/images/qemu/:image_path{.+}', can('Image.Allocate'), async (c) => {
    const name = decodeParam(c.req.param('image_path'));
    const input = await v3Body(c, QemuDiskImageCreate);
    const dir = join(store.root, 'QEMU');
    if (await lstat(resolveInside(dir, name)).then(() => true, () => false)) throw fail('DISK_IMAGE_EXISTS', name);
    await createImage(dir, { ...input, path: name });
    return c.json(await store.get(name), 201);
  });
  app.delete('/images/prune', can('Image.Allocate'), async (c) => {
    for (const image of await store.list()) if (templatesUsing(controller.templates.values(), image).length === 0) await store.remove(image);
    return c.body(null, 204);
  });
  // 3.0 creates templates for unused images whose checksum an appliance lists; patchbay's appliance catalogue is empty.
  app.post('/images/install', can('Image.Allocate'), (c) => c.body(null, 204));
  app.get('/images/:image_path{.+}', can('Image.Audit'), async (c) => c.json(await store.get(decodeParam(c.req.param('image_path')))));
  app.delete('/images/:image_path{.+}', can('Image.Allocate'), async (c) => {
    const image = await store.get(decodeParam(c.req.param('image_path')));
    const users = templatesUsing(controller.templates.values(), image);
    if (users.length > 0) throw fail('IMAGE_IN_USE', image.filename, users.join(', '));
    await store.remove(image);
    return c.body(null, 204);
  });
  return app;
}
