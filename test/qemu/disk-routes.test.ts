/**
 * QEMU disk routes against a real controller-mode daemon and the real qemu-img: `POST /qemu/img` (create),
 * `PUT /qemu/img` (extend), the compute node's `resize_disk` and the controller's forwarding of it. Sizes are checked
 * with `qemu-img info --output=json`.
 */
import t from 'tap';
import { execFileSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createArgs } from '../../src/compute/qemu/disk-images.ts';
import { post, put, VPCS_083, withDaemon, withProject } from '../helpers/daemon.ts';

const MB = 1024 * 1024;
const outside = mkdtempSync(join(tmpdir(), 'patchbay-outside-'));
t.teardown(() => rmSync(outside, { recursive: true, force: true }));
const daemon = await withDaemon(t, { mode: 'controller', args: ['--vpcs-path', VPCS_083] });
const imagesDir = join(daemon.root, 'images', 'QEMU');
mkdirSync(imagesDir, { recursive: true });

type Info = { format: string; 'virtual-size': number; 'cluster-size'?: number; 'format-specific'?: { data?: Record<string, unknown> } };
const info = (file: string): Info => JSON.parse(execFileSync('qemu-img', ['info', '-U', '--output=json', file], { encoding: 'utf8' })) as Info;
const errorOf = async (response: Response) => ({ status: response.status, ...(await response.json()) });
const img = (method: 'POST' | 'PUT', body: Record<string, unknown>) =>
  daemon.api('/v2/compute/qemu/img', method === 'POST' ? post(body) : put(body));
const qemuImg = execFileSync('sh', ['-c', 'command -v qemu-img'], { encoding: 'utf8' }).trim();

t.test('create arguments: only the options the format has', async (t) => {
  const all = {
    path: 'x', size: 10, preallocation: 'metadata', cluster_size: 65536, refcount_bits: 16, lazy_refcounts: 'on',
    subformat: 'fixed', static: 'on', zeroed_grain: 'on', adapter_type: 'lsilogic',
  } as const;
  t.same(createArgs({ ...all, format: 'qcow2' }, '/i/x'), [
    'create', '-f', 'qcow2', '-o', 'preallocation=metadata', '-o', 'cluster_size=65536', '-o', 'refcount_bits=16',
    '-o', 'lazy_refcounts=on', '/i/x', '10M',
  ]);
  t.same(createArgs({ ...all, format: 'vhd' }, '/i/x'), ['create', '-f', 'vpc', '-o', 'subformat=fixed', '/i/x', '10M'], 'vhd is qemu-img\'s vpc');
  t.same(createArgs({ ...all, format: 'vdi' }, '/i/x'), ['create', '-f', 'vdi', '-o', 'static=on', '/i/x', '10M']);
  t.same(createArgs({ ...all, format: 'qcow' }, '/i/x'), ['create', '-f', 'qcow', '/i/x', '10M']);
  t.same(createArgs({ ...all, format: 'raw' }, '/i/x'), ['create', '-f', 'raw', '-o', 'preallocation=metadata', '/i/x', '10M']);
});

t.test('POST /qemu/img creates images in the QEMU images folder', async (t) => {
  const qcow2 = await img('POST', {
    qemu_img: qemuImg, path: 'blank.qcow2', format: 'qcow2', size: 30, preallocation: 'metadata', cluster_size: 65536,
    refcount_bits: 16, lazy_refcounts: 'on', subformat: 'monolithicFlat', adapter_type: 'ide', static: 'on', zeroed_grain: 'off',
  });
  t.equal(qcow2.status, 201, 'created (options of other formats ignored)');
  t.equal(await qcow2.text(), '', 'empty body');
  const created = info(join(imagesDir, 'blank.qcow2'));
  t.equal(created.format, 'qcow2');
  t.equal(created['virtual-size'], 30 * MB, 'size is in MB');
  t.equal(created['format-specific']?.data?.['lazy-refcounts'], true, 'lazy_refcounts passed');
  t.equal(created['format-specific']?.data?.['refcount-bits'], 16, 'refcount_bits passed');

  t.equal((await img('POST', { path: 'sub/dir/plain.img', format: 'raw', size: 2, preallocation: 'falloc' })).status, 201, 'qemu_img optional, folders created');
  t.equal(info(join(imagesDir, 'sub', 'dir', 'plain.img'))['virtual-size'], 2 * MB);
  t.equal((await img('POST', { qemu_img: 'qemu-img', path: 'disk.vmdk', format: 'vmdk', size: 4, subformat: 'monolithicSparse', adapter_type: 'lsilogic', zeroed_grain: 'on' })).status, 201);
  t.equal(info(join(imagesDir, 'disk.vmdk')).format, 'vmdk');
  t.equal((await img('POST', { path: 'disk.vhd', format: 'vhd', size: 4, subformat: 'dynamic' })).status, 201, 'vhd alias');
  t.equal(info(join(imagesDir, 'disk.vhd')).format, 'vpc');
  t.equal((await img('POST', { path: 'disk.vpc', format: 'vpc', size: 4 })).status, 201, 'GNS3 name vpc');
  t.equal((await img('POST', { path: 'disk.vdi', format: 'vdi', size: 4, static: 'off' })).status, 201);
  t.equal(info(join(imagesDir, 'disk.vdi')).format, 'vdi');
  t.equal((await img('POST', { path: 'old.qcow', format: 'qcow', size: 4 })).status, 201);
  t.equal((await img('POST', { path: join(imagesDir, 'absolute.qcow2'), format: 'qcow2', size: 1 })).status, 201, 'absolute path inside the folder');

  const listed = await daemon.json('/v2/compute/qemu/images', { expect: 200 });
  t.ok(listed.some((i: { path: string }) => i.path === 'blank.qcow2'), 'new image listed');

  t.match(await errorOf(await img('POST', { path: 'blank.qcow2', format: 'qcow2', size: 1 })), {
    status: 409, exception: 'QemuError', message: /already exists/,
  }, 'never overwrites');
  t.equal(info(join(imagesDir, 'blank.qcow2'))['virtual-size'], 30 * MB, 'existing image untouched');
  t.match(await errorOf(await img('POST', { path: 'bad.qcow2', format: 'qcow2', size: 1, cluster_size: 3 })), {
    status: 409, exception: 'QemuError', message: /qemu-img create/,
  }, 'qemu-img failure is a 409');
  t.match(await errorOf(await img('POST', { qemu_img: '/bin/sh', path: 'x.qcow2', format: 'qcow2', size: 1 })), {
    status: 409, exception: 'QemuError',
  }, 'qemu_img must be a qemu-img');
  t.match(await errorOf(await img('POST', { qemu_img: './bin/qemu-img', path: 'x.qcow2', format: 'qcow2', size: 1 })), {
    status: 409, exception: 'QemuError', message: /must be absolute/,
  }, 'no qemu-img relative to the daemon folder');
  t.notOk(existsSync(join(imagesDir, 'x.qcow2')));
});

t.test('POST /qemu/img refuses paths outside the folder and bad bodies', async (t) => {
  for (const path of ['../escape.qcow2', '../../escape.qcow2', join(outside, 'abs.qcow2'), 'sub/../../escape.qcow2', '.']) {
    t.equal((await img('POST', { path, format: 'qcow2', size: 1 })).status, 403, `403 for ${path}`);
  }
  symlinkSync(outside, join(imagesDir, 'link'));
  t.equal((await img('POST', { path: 'link/through.qcow2', format: 'qcow2', size: 1 })).status, 403, '403 through a folder symlink');
  symlinkSync(join(outside, 'dangling.qcow2'), join(imagesDir, 'dangling.qcow2'));
  t.equal((await img('POST', { path: 'dangling.qcow2', format: 'qcow2', size: 1 })).status, 409, 'a dangling symlink is not written through');
  t.notOk(existsSync(join(outside, 'through.qcow2')) || existsSync(join(outside, 'dangling.qcow2')), 'nothing written outside');
  t.notOk(existsSync(join(daemon.root, 'images', 'escape.qcow2')));

  const cases: Array<[Record<string, unknown>, RegExp]> = [
    [{ path: 'a.qcow2', format: 'qcow2' }, /"size"/],
    [{ path: 'a.qcow2', size: 1 }, /"format"/],
    [{ format: 'qcow2', size: 1 }, /"path"/],
    [{ path: 'a.qcow2', format: 'qcow3', size: 1 }, /"format"/],
    [{ path: 'a.qcow2', format: 'qcow2', size: '1G' }, /"size"/],
    [{ path: 'a.qcow2', format: 'qcow2', size: 0 }, /"size"/],
    [{ path: 'a.qcow2', format: 'qcow2', size: 1, preallocation: 'all' }, /"preallocation"/],
    [{ path: 'a.qcow2', format: 'qcow2', size: 1, lazy_refcounts: true }, /"lazy_refcounts"/],
    [{ path: 'a.qcow2', format: 'qcow2', size: 1, backing_file: '/etc/passwd' }, /backing_file/],
  ];
  for (const [body, field] of cases) {
    const answer = await errorOf(await img('POST', body));
    t.equal(answer.status, 400, `400 for ${JSON.stringify(body)}`);
    t.match(answer.message, field, 'names the field');
  }
  t.notOk(existsSync(join(imagesDir, 'a.qcow2')));
});

t.test('PUT /qemu/img extends an image', async (t) => {
  const file = join(imagesDir, 'grow.qcow2');
  execFileSync('qemu-img', ['create', '-q', '-f', 'qcow2', file, '10M']);
  const answer = await img('PUT', { qemu_img: qemuImg, path: 'grow.qcow2', extend: 6 });
  t.equal(answer.status, 201);
  t.equal(await answer.text(), '');
  t.equal(info(file)['virtual-size'], 16 * MB, 'virtual size grew by 6 MB');
  t.equal((await img('PUT', { path: file, extend: 4 })).status, 201, 'absolute path inside the folder');
  t.equal(info(file)['virtual-size'], 20 * MB);
  const raw = join(imagesDir, 'grow.raw');
  execFileSync('qemu-img', ['create', '-q', '-f', 'raw', raw, '1M']);
  t.equal((await img('PUT', { path: 'grow.raw', extend: 1 })).status, 201, 'raw image');
  t.equal(info(raw)['virtual-size'], 2 * MB);
  t.equal((await img('PUT', { path: 'grow.qcow2' })).status, 201, 'no extend: nothing to do');
  t.equal(info(file)['virtual-size'], 20 * MB);

  t.match(await errorOf(await img('PUT', { path: 'nope.qcow2', extend: 1 })), { status: 409, exception: 'QemuError', message: /does not exist/ });
  execFileSync('qemu-img', ['create', '-q', '-f', 'qcow2', join(outside, 'victim.qcow2'), '1M']);
  t.equal((await img('PUT', { path: '../victim.qcow2', extend: 1 })).status, 403);
  t.equal((await img('PUT', { path: join(outside, 'victim.qcow2'), extend: 1 })).status, 403);
  t.equal((await img('PUT', { path: 'link/victim.qcow2', extend: 1 })).status, 403, 'not through a symlink');
  t.equal((await img('PUT', { path: '../victim.qcow2' })).status, 403, '403 even without extend');
  t.equal(info(join(outside, 'victim.qcow2'))['virtual-size'], MB, 'outside image untouched');
  t.match(await errorOf(await img('PUT', { path: 'grow.qcow2', extend: 'lots' })), { status: 400, message: /"extend"/ });
  t.match(await errorOf(await img('PUT', { path: 'grow.qcow2', extend: 1, size: 3 })), { status: 400, message: /size/ });
});

t.test('compute resize_disk', async (t) => {
  execFileSync('qemu-img', ['create', '-q', '-f', 'qcow2', join(imagesDir, 'base.qcow2'), '8M']);
  execFileSync('qemu-img', ['create', '-q', '-f', 'qcow2', join(imagesDir, 'own.qcow2'), '8M']);
  const { id: projectId } = await withProject(t, daemon, 'disks');
  const base = `/v2/compute/projects/${projectId}`;
  const bare = (name: string, extra: Record<string, unknown>) => ({ name, platform: 'x86_64', ram: 32, options: '-no-kvm', ...extra });

  const linked = await daemon.json(`${base}/qemu/nodes`, { ...post(bare('linked', { hda_disk_image: 'base.qcow2' })), expect: 201 });
  const url = `${base}/qemu/nodes/${linked.node_id}`;
  const resize = (nodeUrl: string, body: unknown) => daemon.api(`${nodeUrl}/resize_disk`, post(body));
  const answer = await resize(url, { drive_name: 'hda', extend: 16 });
  t.equal(answer.status, 201, 'resized before the first start');
  t.equal(await answer.text(), '');
  const overlay = join(linked.node_directory, 'hda_disk.qcow2');
  t.equal(info(overlay)['virtual-size'], 24 * MB, 'the linked-clone overlay grew');
  t.equal(info(join(imagesDir, 'base.qcow2'))['virtual-size'], 8 * MB, 'the base image is untouched');
  t.equal((await resize(url, { drive_name: 'hda', extend: 8 })).status, 201);
  t.equal(info(overlay)['virtual-size'], 32 * MB, 'the existing overlay grows again');

  t.match(await errorOf(await resize(url, { drive_name: 'hdb', extend: 1 })), { status: 409, exception: 'QemuError' }, 'no disk on hdb');
  for (const [body, field] of [[{ drive_name: 'hde', extend: 1 }, /"drive_name"/], [{ drive_name: 'hda' }, /"extend"/], [{ extend: 1 }, /"drive_name"/], [{ drive_name: 'hda', extend: -1 }, /"extend"/]] as const) {
    t.match(await errorOf(await resize(url, body)), { status: 400, message: field }, `400 for ${JSON.stringify(body)}`);
  }
  t.equal((await resize(`${base}/qemu/nodes/${randomUUID()}`, { drive_name: 'hda', extend: 1 })).status, 404, 'unknown node');

  await daemon.json(`${url}/start`, { ...post(), expect: 200 });
  t.match(await errorOf(await resize(url, { drive_name: 'hda', extend: 1 })), {
    status: 409, exception: 'QemuError', message: 'Cannot resize hda while the VM is running',
  }, 'refused while running');
  await daemon.json(`${url}/stop`, { ...post(), expect: 204 });
  t.equal(info(overlay)['virtual-size'], 32 * MB, 'unchanged by the refused call');

  const direct = await daemon.json(`${base}/qemu/nodes`, { ...post(bare('direct', { hdb_disk_image: 'own.qcow2', linked_clone: false })), expect: 201 });
  t.equal((await resize(`${base}/qemu/nodes/${direct.node_id}`, { drive_name: 'hdb', extend: 2 })).status, 201);
  t.equal(info(join(imagesDir, 'own.qcow2'))['virtual-size'], 10 * MB, 'without linked clone the image itself grows');
  t.notOk(existsSync(join(direct.node_directory, 'hdb_disk.qcow2')), 'no overlay made');

  rmSync(join(imagesDir, 'own.qcow2'));
  t.match(await errorOf(await resize(`${base}/qemu/nodes/${direct.node_id}`, { drive_name: 'hdb', extend: 2 })), { status: 409 }, 'missing image');
  await daemon.json(`${base}/close`, { ...post(), expect: 204 });
});

t.test('controller resize_disk forwards to the compute', async (t) => {
  execFileSync('qemu-img', ['create', '-q', '-f', 'qcow2', join(imagesDir, 'ctrl.qcow2'), '8M']);
  const project = await daemon.json('/v2/projects', { ...post({ name: `disks-${randomUUID().slice(0, 8)}` }), expect: 201 });
  const nodes = `/v2/projects/${project.project_id}/nodes`;
  const vm = await daemon.json(nodes, {
    ...post({ name: 'vm', node_type: 'qemu', compute_id: 'local', properties: { platform: 'x86_64', ram: 32, options: '-no-kvm', hda_disk_image: 'ctrl.qcow2' } }),
    expect: 201,
  });
  const answer = await daemon.api(`${nodes}/${vm.node_id}/resize_disk`, post({ drive_name: 'hda', extend: 24 }));
  t.equal(answer.status, 201);
  t.equal(await answer.text(), '');
  t.equal(info(join(vm.node_directory, 'hda_disk.qcow2'))['virtual-size'], 32 * MB, 'overlay grew through the controller');

  t.match(await errorOf(await daemon.api(`${nodes}/${vm.node_id}/resize_disk`, post({ drive_name: 'hdd', extend: 1 }))), {
    status: 409, exception: 'QemuError',
  }, 'compute error mirrored');
  t.match(await errorOf(await daemon.api(`${nodes}/${vm.node_id}/resize_disk`, post({ drive_name: 'hda' }))), { status: 400, message: /"extend"/ });
  const pc = await daemon.json(nodes, { ...post({ name: 'pc', node_type: 'vpcs', compute_id: 'local' }), expect: 201 });
  t.match(await errorOf(await daemon.api(`${nodes}/${pc.node_id}/resize_disk`, post({ drive_name: 'hda', extend: 1 }))), {
    status: 409, message: /only QEMU nodes/,
  }, 'not a QEMU node');
  t.equal((await daemon.api(`${nodes}/${randomUUID()}/resize_disk`, post({ drive_name: 'hda', extend: 1 }))).status, 404);

  await daemon.json(`${nodes}/${vm.node_id}/start`, { ...post(), expect: 200 });
  t.match(await errorOf(await daemon.api(`${nodes}/${vm.node_id}/resize_disk`, post({ drive_name: 'hda', extend: 1 }))), {
    status: 409, message: 'Cannot resize hda while the VM is running',
  }, 'refused while running');
  await daemon.json(`${nodes}/${vm.node_id}/stop`, { ...post(), expect: 200 });
  await daemon.json(`/v2/projects/${project.project_id}`, { method: 'DELETE', expect: 204 });
});
