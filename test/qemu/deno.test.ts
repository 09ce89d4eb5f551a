/** The QEMU driver from the same sources under Deno: image upload, start (firmware only), stats, suspend, stop. */
import t from 'tap';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { post, withDaemon, withProject } from '../helpers/daemon.ts';
import { processAlive } from '../helpers/ports.ts';

t.test('QEMU node on the Deno runtime', async (t) => {
  const imagesDir = mkdtempSync(join(tmpdir(), 'patchbay-images-'));
  t.teardown(() => rmSync(imagesDir, { recursive: true, force: true }));
  const daemon = await withDaemon(t, { runtime: 'deno', args: ['--images-dir', imagesDir] });
  const upload = await daemon.api('/v2/compute/qemu/images/a.img', { method: 'POST', body: 'hello world' });
  t.equal(upload.status, 204, 'upload');
  t.match(await daemon.json('/v2/compute/qemu/images'), [{ filename: 'a.img', md5sum: '5eb63bbbe01eeed093cb22bb8f5acdc3', filesize: 11 }]);

  const { id: projectId } = await withProject(t, daemon, 'deno');
  const base = `/v2/compute/projects/${projectId}/qemu/nodes`;
  const vm = await daemon.json(base, { ...post({ name: 'v', platform: 'x86_64', ram: 32, options: '-no-kvm' }), expect: 201 });
  await daemon.json(`${base}/${vm.node_id}/start`, { ...post(), expect: 200 });
  let stats = null;
  for (let i = 0; i < 30 && !stats; i++) {
    await new Promise((resolve) => setTimeout(resolve, 100));
    stats = (await daemon.json(`${base}/${vm.node_id}`)).process_stats;
  }
  t.ok(stats?.pid > 0, 'pidusage works under Deno');
  await daemon.json(`${base}/${vm.node_id}/suspend`, { ...post(), expect: 204 });
  t.equal((await daemon.json(`${base}/${vm.node_id}`)).status, 'suspended', 'monitor commands work');
  await daemon.json(`${base}/${vm.node_id}/stop`, { ...post(), expect: 204 });
  t.notOk(processAlive(stats.pid), 'QEMU stopped');
});
