/**
 * QEMU disk routes: `POST /qemu/img` (create a blank image), `PUT /qemu/img` (extend one) and
 * `POST /projects/{project_id}/qemu/nodes/{node_id}/resize_disk`. Mounted after the node routes, so the node's FIFO
 * lock covers resize_disk like every other node request.
 */
import { Hono } from 'hono';
import type { Compute } from '../../compute/compute.ts';
import { createImage, extendImage } from '../../compute/qemu/disk-images.ts';
import { hasImages } from '../../compute/qemu/driver.ts';
import type { QemuNode } from '../../compute/qemu/qemu-node.ts';
import { resolveInside } from '../../storage/safe-path.ts';
import { QemuImageCreate, QemuImageUpdate, QemuResizeDisk } from '../../compute/qemu/schemas.ts';
import { body } from '../validate.ts';

export function qemuDiskRoutes(compute: Compute): Hono {
  const app = new Hono();
  const driver = compute.drivers.get('qemu');
  if (!driver || !hasImages(driver)) return app;
  const dir = driver.images.dir;

  app.post('/qemu/img', async (c) => {
    await createImage(dir, await body(c, QemuImageCreate));
    return c.body(null, 201);
  });

  // GNS3 answers 201 even when nothing was asked (no `extend`); the path is still checked.
  app.put('/qemu/img', async (c) => {
    const { path, extend, qemu_img } = await body(c, QemuImageUpdate);
    if (extend !== undefined) await extendImage(dir, path, extend, qemu_img);
    else resolveInside(dir, path);
    return c.body(null, 201);
  });

  app.post('/projects/:project_id/qemu/nodes/:node_id/resize_disk', async (c) => {
    const { drive_name, extend } = await body(c, QemuResizeDisk);
    const node = compute.node(c.req.param('project_id'), 'qemu', c.req.param('node_id')) as QemuNode;
    await node.resizeDisk(drive_name, extend);
    return c.body(null, 201);
  });

  return app;
}
