/** `/v3/images`: the controller's image store (list, upload, get, delete, prune), images in use by templates kept. */
import { Hono } from 'hono';
import type { Access } from '../../../access/index.ts';
import type { Controller } from '../../../controller/controller.ts';
import { ImageStore, type ImageInfo, type ImageType } from '../../../controller/image-store.ts';
import { fail } from '../../../errors/index.ts';
import { decodeParam } from '../../validate.ts';
import { guard, type V3Env } from '../auth.ts';
import { unprocessable, v3ErrorHandler } from '../errors.ts';

const IMAGE_KEYS = /(_image|^image|^path|^initrd)$/;

/** Names of the templates that reference `image` (by file name or a path ending with it). */
function templatesUsing(controller: Controller, image: ImageInfo): string[] {
  return [...controller.templates.values()]
    .filter((t) => Object.entries(t).some(([key, value]) => IMAGE_KEYS.test(key) && typeof value === 'string' && value !== '' &&
      (value === image.filename || value.endsWith(`/${image.filename}`))))
    .map((t) => t.name);
}

export function imageRoutes(controller: Controller, access: Access, imagesDir: string): Hono<V3Env> {
  const app = new Hono<V3Env>();
  app.onError(v3ErrorHandler);
  const can = (privilege: string) => guard(access, privilege);
  const store = new ImageStore(imagesDir);

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
  app.delete('/images/prune', can('Image.Allocate'), async (c) => {
    for (const image of await store.list()) if (templatesUsing(controller, image).length === 0) await store.remove(image);
    return c.body(null, 204);
  });
  app.get('/images/:image_path{.+}', can('Image.Audit'), async (c) => c.json(await store.get(decodeParam(c.req.param('image_path')))));
  app.delete('/images/:image_path{.+}', can('Image.Allocate'), async (c) => {
    const image = await store.get(decodeParam(c.req.param('image_path')));
    const users = templatesUsing(controller, image);
    if (users.length > 0) throw fail('IMAGE_IN_USE', image.filename, users.join(', '));
    await store.remove(image);
    return c.body(null, 204);
  });
  return app;
}
