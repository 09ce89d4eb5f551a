/**
 * QEMU node API behaviour without booting a guest OS (QEMU sits in its firmware): GNS3 error codes, image routes,
 * 40 adapters behind PCI bridges, VNC console, link state, reload, crash detection and on_close save_vm_state.
 */
import t from 'tap';
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { createSocket } from 'node:dgram';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { post, put, withDaemon, withProject } from '../helpers/daemon.ts';
import { processAlive } from '../helpers/ports.ts';

const imagesDir = mkdtempSync(join(tmpdir(), 'patchbay-images-'));
mkdirSync(join(imagesDir, 'QEMU'));
execFileSync('qemu-img', ['create', '-q', '-f', 'qcow2', join(imagesDir, 'QEMU', 'disk.qcow2'), '8M']);
t.teardown(() => rmSync(imagesDir, { recursive: true, force: true }));
const daemon = await withDaemon(t, { args: ['--images-dir', imagesDir] });
const { id: projectId } = await withProject(t, daemon, 'api');
const base = `/v2/compute/projects/${projectId}`;

const create = (body: Record<string, unknown>) => daemon.api(`${base}/qemu/nodes`, post(body));
const errorOf = async (response: Response) => ({ status: response.status, ...(await response.json()) });
/** A VM that never leaves its firmware: cheap to start on TCG. */
const bare = (name: string, extra: Record<string, unknown> = {}) => ({ name, platform: 'x86_64', ram: 32, options: '-no-kvm', ...extra });

t.test('GNS3 error answers', async (t) => {
  t.match(await errorOf(await create({ name: 'x' })), {
    status: 409, exception: 'QemuError', message: 'QEMU binary path qemu-system-None is not found in the path',
  }, 'no binary given');
  t.match(await errorOf(await create(bare('x', { hda_disk_image: 'nope.qcow2' }))), {
    status: 409, exception: 'ImageMissingError', image: 'nope.qcow2', message: 'The image nope.qcow2 is missing',
  }, 'missing image');
  t.match(await errorOf(await create(bare('x', { options: '-S -netdev user,id=n0' }))), {
    status: 409, exception: 'QemuError', message: 'Forbidden additional option: -netdev',
  }, 'unsafe option refused');
  t.match(await errorOf(await create(bare('x', { hda_disk_image: '/etc/passwd' }))), { status: 409, exception: 'QemuError' }, 'absolute path outside the images folder');
  const badRam = await errorOf(await create(bare('x', { ram: 'lots' })));
  t.equal(badRam.status, 400);
  t.match(badRam.message, /"ram"/, '400 names the field');
  t.match(await errorOf(await create(bare('x', { bogus: 1 }))), { status: 400, message: /bogus/ }, 'unknown key');
  t.match(await errorOf(await create(bare('x', { console_type: 'serial' }))), { status: 400, message: /console_type/ });

  const vm = await daemon.json(`${base}/qemu/nodes`, { ...post(bare('nio')), expect: 201 });
  const nio = { type: 'nio_udp', lport: 40001, rhost: '127.0.0.1', rport: 40002 };
  t.match(await errorOf(await daemon.api(`${base}/qemu/nodes/${vm.node_id}/adapters/3/ports/0/nio`, post(nio))), {
    status: 409, exception: 'QemuError', message: 'Adapter 3 does not exist on QEMU VM "nio"',
  });
  t.match(await errorOf(await daemon.api(`${base}/qemu/nodes/${vm.node_id}/adapters/0/ports/0/nio`, { method: 'DELETE' })), {
    status: 409, message: 'Adapter 0 is not connected',
  });
  t.match(await errorOf(await daemon.api(`${base}/qemu/nodes/${vm.node_id}/adapters/0/ports/0/nio`, post({ type: 'nio_tap', tap_device: 'tap0' }))), {
    status: 409, message: 'NIO of type nio_tap is not supported',
  });
  t.equal((await daemon.api(`${base}/qemu/nodes/${vm.node_id}/adapters/0/ports/7/nio`, post({ ...nio, lport: 40003 }))).status, 201, 'port number ignored');
  await daemon.json(`${base}/qemu/nodes/${vm.node_id}`, { method: 'DELETE', expect: 204 });
});

t.test('image routes', async (t) => {
  const traversal = await daemon.api('/v2/compute/qemu/images/..%2F..%2Fescape.img', { method: 'POST', body: 'x' });
  t.equal(traversal.status, 403, 'upload cannot leave the images folder');
  const nested = await daemon.api('/v2/compute/qemu/images/sub/dir/nested.img', { method: 'POST', body: 'x'.repeat(64) });
  t.equal(nested.status, 204, 'upload into a subfolder');
  // Found by the fuzz suite (seed 696891519): a name longer than the file system allows answered 500.
  const tooLong = await daemon.api(`/v2/compute/qemu/images/${'a'.repeat(300)}.img`, { method: 'POST', body: 'x' });
  t.equal(tooLong.status, 409, 'a name the file system refuses is a conflict');
  t.match(await tooLong.json(), { message: /^Cannot write file .*name too long/ });
  const list = await daemon.json('/v2/compute/qemu/images', { expect: 200 });
  t.match(list, [{ filename: 'disk.qcow2', path: 'disk.qcow2' }, { filename: 'nested.img', path: 'sub/dir/nested.img', filesize: 64 }]);
  t.equal((await daemon.api('/v2/compute/qemu/images/.hidden')).status, 403);
  const download = await daemon.api('/v2/compute/qemu/images/disk.qcow2');
  t.equal(download.status, 200);
  t.equal((await download.arrayBuffer()).byteLength, statSync(join(imagesDir, 'QEMU', 'disk.qcow2')).size, 'download');
  const caps = await daemon.json('/v2/compute/capabilities');
  t.ok(caps.node_types.includes('qemu'), 'qemu listed in capabilities');
  const kvm = await daemon.json('/v2/compute/qemu/capabilities', { expect: 200 });
  t.ok(Array.isArray(kvm.kvm), `KVM platforms reported (${JSON.stringify(kvm.kvm)})`);
  const binaries = await daemon.json('/v2/compute/qemu/binaries', { expect: 200 });
  t.ok(binaries.some((b: { path: string }) => b.path.endsWith('qemu-system-x86_64')), 'qemu-system-x86_64 found');
});

t.test('40 adapters, link state and reload', async (t) => {
  const vm = await daemon.json(`${base}/qemu/nodes`, { ...post(bare('many', { adapters: 40, adapter_type: 'e1000' })), expect: 201 });
  const url = `${base}/qemu/nodes/${vm.node_id}`;
  const nio = { type: 'nio_udp', lport: 40011, rhost: '127.0.0.1', rport: 40012 };
  await daemon.json(`${url}/adapters/39/ports/0/nio`, { ...post(nio), expect: 201 });
  const started = await daemon.json(`${url}/start`, { ...post(), expect: 200 });
  t.equal(started.status, 'started', 'QEMU accepts the PCI bridge layout');
  t.match(started.command_line, /pci-bridge,id=pci-bridge1/);
  t.equal((await daemon.api(`${url}/adapters/39/ports/0/nio`, put({ ...nio, suspend: true }))).status, 201, 'link suspended (set_link off)');
  await daemon.json(`${url}/adapters/5/ports/0/nio`, { ...post({ ...nio, lport: 40013 }), expect: 201 });
  await daemon.json(`${url}/adapters/5/ports/0/nio`, { method: 'DELETE', expect: 204 });
  const pid = started.process_stats.pid;
  await daemon.json(`${url}/reload`, { ...post(), expect: 204 });
  t.equal((await daemon.json(url)).process_stats.pid, pid, 'reload without changes resets the guest in place');
  await daemon.json(url, { ...put({ ram: 48 }), expect: 200 });
  await daemon.json(`${url}/reload`, { ...post(), expect: 204 });
  const after = await daemon.json(url);
  t.match(after.command_line, /-m 48M/, 'reload after a change restarts QEMU with the new settings');
  t.equal(after.status, 'started');
  t.match(await errorOf(await daemon.api(url, put({ adapters: 2 }))), { status: 409, exception: 'QemuError' }, 'adapters cannot change while running');

  // QEMU dying on its own: the node turns stopped.
  process.kill((await daemon.json(url)).process_stats.pid, 'SIGKILL');
  let status = 'started';
  for (let i = 0; i < 50 && status !== 'stopped'; i++) {
    await new Promise((resolve) => setTimeout(resolve, 100));
    status = (await daemon.json(url)).status;
  }
  t.equal(status, 'stopped', 'a killed QEMU is noticed');
  await daemon.json(url, { method: 'DELETE', expect: 204 });
});

t.test('a UDP tunnel port taken between two starts: QEMU gets a fresh one', async (t) => {
  const vm = await daemon.json(`${base}/qemu/nodes`, { ...post(bare('tunnel')), expect: 201 });
  const url = `${base}/qemu/nodes/${vm.node_id}`;
  const localPort = (commandLine: string) => Number(/localaddr=127\.0\.0\.1:(\d+)/.exec(commandLine)![1]);
  const first = await daemon.json(`${url}/start`, { ...post(), expect: 200 });
  await daemon.json(`${url}/stop`, { ...post(), expect: 204 });
  // Anything may bind a port the node does not hold while stopped (an outgoing socket, when the range overlaps the
  // kernel's ephemeral range); kept from the first run, it made QEMU fail to bind its -netdev at the next start.
  const taken = localPort(first.command_line);
  const squatter = createSocket('udp4');
  await new Promise<void>((resolve) => squatter.bind(taken, '127.0.0.1', resolve));
  t.teardown(() => squatter.close());
  const second = await daemon.json(`${url}/start`, { ...post(), expect: 200 });
  t.equal(second.status, 'started');
  t.not(localPort(second.command_line), taken, 'another tunnel port');
  await daemon.json(url, { method: 'DELETE', expect: 204 });
});

t.test('VNC console', async (t) => {
  const vm = await daemon.json(`${base}/qemu/nodes`, { ...post(bare('vnc', { console_type: 'vnc' })), expect: 201 });
  t.ok(vm.console >= 5900, 'VNC port is a display port');
  const started = await daemon.json(`${base}/qemu/nodes/${vm.node_id}/start`, { ...post(), expect: 200 });
  t.match(started.command_line, `-vnc 127.0.0.1:${vm.console - 5900}`);
  const banner = await new Promise<string>((resolve, reject) => {
    const socket = connect({ port: vm.console, host: '127.0.0.1' });
    socket.once('data', (data) => {
      resolve(data.toString('latin1'));
      socket.destroy();
    });
    socket.once('error', reject);
  });
  t.match(banner, /^RFB 003\.008/, 'QEMU serves VNC on the console port');
  await daemon.json(`${base}/qemu/nodes/${vm.node_id}`, { method: 'DELETE', expect: 204 });
});

t.test('on_close save_vm_state saves and restores the VM state', async (t) => {
  const vm = await daemon.json(`${base}/qemu/nodes`, {
    ...post(bare('saved', { on_close: 'save_vm_state', hda_disk_image: 'disk.qcow2', hda_disk_interface: 'ide' })),
    expect: 201,
  });
  const url = `${base}/qemu/nodes/${vm.node_id}`;
  const first = await daemon.json(`${url}/start`, { ...post(), expect: 200 });
  t.notMatch(first.command_line, '-loadvm');
  await daemon.json(`${url}/stop`, { ...post(), expect: 204 });
  t.notOk(processAlive(first.process_stats.pid), 'process gone after stop');
  const snapshots = execFileSync('qemu-img', ['snapshot', '-U', '-l', join(first.node_directory, 'hda_disk.qcow2')], { encoding: 'utf8' });
  t.match(snapshots, 'GNS3_SAVED_STATE', 'state saved into the linked clone');
  const second = await daemon.json(`${url}/start`, { ...post(), expect: 200 });
  t.match(second.command_line, '-loadvm GNS3_SAVED_STATE', 'next start restores it');
  t.equal(second.status, 'started');
  await daemon.json(url, { method: 'DELETE', expect: 204 });
});
