/**
 * Image and emulator-host routes of drivers that keep images on the agent (QEMU): `/<type>/images` list, upload and
 * download, plus QEMU's `/qemu/binaries`, `/qemu/img-binaries` and `/qemu/capabilities`.
 */
import { Hono } from 'hono';
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { Readable } from 'node:stream';
import type { Compute } from '../../compute/compute.ts';
import { findQemu, kvmUsable, listBinaries } from '../../compute/qemu/binary.ts';
import { hasImages } from '../../compute/qemu/driver.ts';

export function imageRoutes(compute: Compute): Hono {
  const app = new Hono();

  for (const driver of compute.drivers.values()) {
    if (!hasImages(driver)) continue;
    const { images } = driver;
    const base = `/${driver.type}/images`;

    app.get(base, async (c) => c.json(await images.list()));

    // Streamed to a temp file then renamed; never buffered whole (images are often gigabytes).
    app.post(`${base}/:filename{.+}`, async (c) => {
      await images.upload(c.req.param('filename'), c.req.raw.body);
      return c.body(null, 204);
    });

    app.get(`${base}/:filename{.+}`, async (c) => {
      const file = await images.file(c.req.param('filename'));
      const info = await stat(file);
      return new Response(Readable.toWeb(createReadStream(file)) as ReadableStream, {
        headers: { 'Content-Type': 'application/octet-stream', 'Content-Length': String(info.size) },
      });
    });
  }

  if (compute.drivers.has('qemu')) {
    app.get('/qemu/binaries', async (c) => {
      const archs = c.req.query('archs')?.split(',').filter(Boolean);
      const found = await listBinaries((name) => name.startsWith('qemu-system-') || name === 'qemu-kvm', '-version');
      return c.json(archs ? found.filter((b) => archs.some((arch) => b.path.endsWith(`-${arch}`))) : found);
    });

    app.get('/qemu/img-binaries', async (c) => c.json(await listBinaries((name) => name === 'qemu-img', '--version')));

    // GNS3 reports the guest architectures KVM can accelerate here.
    app.get('/qemu/capabilities', async (c) => {
      // Each platform's first answer starts a probe VM (cached afterwards); run them side by side.
      const platforms = ['x86_64', 'i386', 'aarch64'];
      const usable = await Promise.all(platforms.map((platform) =>
        findQemu(null, platform).then(kvmUsable, () => false))); // No binary for that platform.
      return c.json({ kvm: platforms.filter((_, i) => usable[i]) });
    });
  }

  return app;
}
