/**
 * QEMU disk routes: `POST /qemu/img` (create a blank image), `PUT /qemu/img` (extend one),
 * `POST /projects/{project_id}/qemu/nodes/{node_id}/resize_disk`, and 3.0's per-node `disk_image/{disk_name}`
 * (create, extend, delete a disk in the node's folder; /v3/compute answers them with 204). Mounted after the node
 * routes, so the node's FIFO lock covers them like every other node request.
 */
import { Hono, type Context } from 'hono';
import { rm } from 'node:fs/promises';
import type { Compute } from '../../compute/compute.ts';
import { createImage, extendImage } from '../../compute/qemu/disk-images.ts';
import { hasImages } from '../../compute/qemu/driver.ts';
import type { QemuNode } from '../../compute/qemu/qemu-node.ts';
import { resolveInside } from '../../storage/safe-path.ts';
import { QemuDiskImageCreate, QemuDiskImageUpdate, QemuImageCreate, QemuImageUpdate, QemuResizeDisk } from '../../compute/qemu/schemas.ts';
import { fail } from '../../errors/index.ts';
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

  const diskImage = '/projects/:project_id/qemu/nodes/:node_id/disk_image/:disk_name';
  const nodeOf = (c: Context) => compute.node(c.req.param('project_id')!, 'qemu', c.req.param('node_id')!) as QemuNode;
  app.post(diskImage, async (c) => {
    const input = await body(c, QemuDiskImageCreate);
    await createImage(nodeOf(c).directory, { ...input, path: c.req.param('disk_name') });
    return c.body(null, 204);
  });
  app.put(diskImage, async (c) => {
    const { extend } = await body(c, QemuDiskImageUpdate);
    if (extend !== undefined) await extendImage(nodeOf(c).directory, c.req.param('disk_name'), extend, undefined);
    return c.body(null, 204);
  });
  app.delete(diskImage, async (c) => {
    const disk = resolveInside(nodeOf(c).directory, c.req.param('disk_name'));
    await rm(disk).catch(() => {
      throw fail('QEMU_DISK_MISSING', c.req.param('disk_name'));
    });
    return c.body(null, 204);
  });

  return app;
}
