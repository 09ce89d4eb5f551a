/**
 * /v3 routes about images, templates' image references and the features patchbay has no use for (GNS3 VM, IOU
 * licence, appliances), against a real daemon: blank disks are made by the real qemu-img.
 */
import t from 'tap';
import { execFileSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { withDaemon } from '../helpers/daemon.ts';
import { bearer, login, openSocket } from './helpers.ts';

const QCOW2_MAGIC = 'QFI\u00fb';

t.test('images, template image references and unused features', async (t) => {
  const d = await withDaemon(t, { mode: 'controller' });
  const api = bearer(d, await login(d));

  t.test('blank QEMU disks: real qemu-img, listed by the store, never overwritten', async (t) => {
    const image = await api('POST', '/v3/images/qemu/blank.qcow2', { format: 'qcow2', size: 8, unknown_key: 1 }, 201);
    t.match(image, { filename: 'blank.qcow2', image_type: 'qemu', checksum_algorithm: 'md5' });
    t.equal(readFileSync(image.path).subarray(0, 4).toString('latin1'), QCOW2_MAGIC, 'qemu-img wrote a qcow2 file');
    t.match(await api('POST', '/v3/images/qemu/blank.qcow2', { format: 'qcow2', size: 8 }, 400), { message: "Disk image 'blank.qcow2' already exists" });
    t.match(await api('POST', '/v3/images/qemu/other.qcow2', { size: 8 }, 422), { message: /format/ });
    t.equal((await d.api('/v3/images/qemu/..%2F..%2Fescape.qcow2', { method: 'POST', headers: await headers(), body: '{"format":"qcow2","size":1}' })).status, 403);
  });

  t.test('templates must reference images of the store, of the right type; images in use stay', async (t) => {
    t.match(await api('POST', '/v3/templates', { name: 'Q', template_type: 'qemu', hda_disk_image: 'nowhere.qcow2' }, 404), {
      message: "Image 'nowhere.qcow2' could not be found in the controller database",
    });
    t.match(await api('POST', '/v3/templates', { name: 'R', template_type: 'dynamips', platform: 'c7200', image: 'blank.qcow2' }, 400), {
      message: "Image 'blank.qcow2' type is not 'ios' but 'qemu'",
    });
    const template = await api('POST', '/v3/templates', { name: 'Q', template_type: 'qemu', hda_disk_image: 'blank.qcow2' }, 201);
    t.match(await api('PUT', `/v3/templates/${template.template_id}`, { hdb_disk_image: 'nowhere.qcow2' }, 404), { message: /could not be found/ });
    t.match(await api('DELETE', '/v3/images/blank.qcow2', undefined, 409), { message: "Image 'blank.qcow2' is used by one or more templates: Q" });
    await api('DELETE', '/v3/images/prune', undefined, 204);
    t.equal((await api('GET', '/v3/images', undefined, 200)).length, 1, 'prune keeps images in use');
    let listening = () => {};
    const ready = new Promise<void>((resolve) => (listening = resolve));
    const events = openSocket(`${d.url.replace(/^http/, 'ws')}/v3/notifications/ws?token=${await login(d)}`, (frames) => {
      listening(); // the first frame (a ping) says the server listens
      return frames.some((f) => String(f).includes('template.deleted'));
    });
    await ready;
    await api('DELETE', `/v3/templates/${template.template_id}?prune_images=true`, undefined, 204);
    const deleted = (await events).frames.map((f) => JSON.parse(String(f))).find((m) => m.action === 'template.deleted');
    t.same(deleted.event, { template_id: template.template_id }, '3.0 sends only the id');
    (await events).socket?.close();
    t.same(await api('GET', '/v3/images', undefined, 200), [], 'prune_images removed the image no other template uses');
    await api('POST', '/v3/images/install', undefined, 204);
  });

  t.test('QEMU disks of a node, made in its folder; other node types refused', async (t) => {
    const project = await api('POST', '/v3/projects', { name: 'disks' }, 201);
    const pid = project.project_id;
    const vm = await api('POST', `/v3/projects/${pid}/nodes`, { name: 'vm', node_type: 'qemu', compute_id: 'local' }, 201);
    t.equal(vm.properties.platform, 'x86_64', '3.0 default platform');
    const disk = `/v3/projects/${pid}/nodes/${vm.node_id}/qemu/disk_image/extra.qcow2`;
    await api('POST', disk, { format: 'qcow2', size: 4 }, 204);
    const file = join(vm.node_directory, 'extra.qcow2');
    t.equal(readFileSync(file).subarray(0, 4).toString('latin1'), QCOW2_MAGIC);
    t.match(await api('POST', disk, { format: 'qcow2', size: 4 }, 409), { message: /already exists/ });
    await api('PUT', disk, { extend: 4 }, 204);
    await api('DELETE', disk, undefined, 204);
    t.notOk(existsSync(file));
    t.match(await api('DELETE', disk, undefined, 409), { message: /does not exist/ });
    const pc = await api('POST', `/v3/projects/${pid}/nodes`, { name: 'pc', node_type: 'vpcs', compute_id: 'local' }, 201);
    t.match(await api('POST', `/v3/projects/${pid}/nodes/${pc.node_id}/qemu/disk_image/x.qcow2`, { format: 'qcow2', size: 1 }, 400), {
      message: 'Creating a disk image is only supported on a Qemu node',
    });

    // A cloud port mapped to a UDP tunnel: the link's iface names it; a link between two guests has none.
    const cloud = await api('POST', `/v3/projects/${pid}/nodes`, {
      name: 'cloud', node_type: 'cloud', compute_id: 'local',
      properties: { ports_mapping: [{ name: 'UDP tunnel 1', port_number: 0, type: 'udp', lport: 20001, rhost: '127.0.0.1', rport: 20002 }] },
    }, 201);
    const toCloud = await api('POST', `/v3/projects/${pid}/links`, {
      nodes: [{ node_id: pc.node_id, adapter_number: 0, port_number: 0 }, { node_id: cloud.node_id, adapter_number: 0, port_number: 0 }],
    }, 201);
    t.same(await api('GET', `/v3/projects/${pid}/links/${toCloud.link_id}/iface`, undefined, 200), {
      node_id: cloud.node_id, type: 'udp', lport: 20001, rhost: '127.0.0.1', rport: 20002,
    });
    const pc2 = await api('POST', `/v3/projects/${pid}/nodes`, { name: 'pc2', node_type: 'vpcs', compute_id: 'local' }, 201);
    const guests = await api('POST', `/v3/projects/${pid}/links`, {
      nodes: [{ node_id: pc2.node_id, adapter_number: 0, port_number: 0 }, { node_id: vm.node_id, adapter_number: 0, port_number: 0 }],
    }, 201);
    t.same(await api('GET', `/v3/projects/${pid}/links/${guests.link_id}/iface`, undefined, 409), { message: 'Link not connected to Cloud/NAT' });
    await api('DELETE', `/v3/projects/${pid}`, undefined, 204);
  });

  t.test('export: Zstandard by default (ZIP method 93, real zstd frames), levels checked; import reads it back', async (t) => {
    const project = await api('POST', '/v3/projects', { name: 'packed' }, 201);
    const pid = project.project_id;
    const readme = 'zstd '.repeat(200);
    const write = await d.api(`/v3/projects/${pid}/files/README.txt`, { method: 'POST', headers: await headers(), body: readme });
    t.equal(write.status, 204);
    const exported = await d.api(`/v3/projects/${pid}/export`, { headers: await headers() });
    t.equal(exported.status, 200);
    const archive = Buffer.from(await exported.arrayBuffer());
    const members = centralDirectory(archive);
    t.same(members.map((m) => m.method), members.map(() => 93), 'every member is Zstandard');
    const member = members.find((m) => m.name === 'README.txt')!;
    const frame = archive.subarray(member.dataOffset, member.dataOffset + member.compressedSize);
    t.equal(execFileSync('zstd', ['-d', '-c'], { input: frame }).toString(), readme, 'the zstd tool decodes the member');

    const zip = Buffer.from(await (await d.api(`/v3/projects/${pid}/export?compression=zip&compression_level=9`, { headers: await headers() })).arrayBuffer());
    t.same([...new Set(centralDirectory(zip).map((m) => m.method))], [8], 'zip is deflate');
    const answer = async (query: string) => {
      const response = await d.api(`/v3/projects/${pid}/export?${query}`, { headers: await headers() });
      return [response.status, (await response.json()).message];
    };
    t.same(await answer('compression=zstd&compression_level=23'), [400, 'Compression level must be between 1 and 22 for Zstandard compression']);
    t.same(await answer('compression=none&compression_level=1'), [400, "Compression level is not supported for 'none' compression method"]);
    t.equal((await answer('compression=rar'))[0], 422);

    const imported = await d.api(`/v3/projects/${randomUUID()}/import?name=unpacked`, { method: 'POST', headers: await headers(), body: archive });
    t.equal(imported.status, 201);
    const copy = await imported.json();
    t.equal(copy.name, 'unpacked');
    await api('POST', `/v3/projects/${copy.project_id}/open`, undefined, 201);
    const back = await d.api(`/v3/projects/${copy.project_id}/files/README.txt`, { headers: await headers() });
    t.equal(await back.text(), readme, 'files come back from the Zstandard archive');
  });

  t.test('GNS3 VM, IOU licence and appliances as 3.0.6 answers without them', async (t) => {
    t.match(await api('GET', '/v3/gns3vm', undefined, 200), { enable: false, engine: 'vmware', vmname: null });
    t.same(await api('PUT', '/v3/gns3vm', { vcpus: 2, bogus: 1 }, 200), { vcpus: 2 }, 'echoes only the keys sent');
    t.match(await api('PUT', '/v3/gns3vm', { enable: true, vmname: 'GNS3 VM' }, 409), { message: /^GNS3VM: / });
    t.match(await d.json('/v2/gns3vm', { expect: 200 }), { vcpus: 2, enable: false }, 'one setting for both APIs');
    t.same((await api('GET', '/v3/gns3vm/engines', undefined, 200)).map((e: any) => e.engine_id), ['vmware', 'virtualbox', 'remote']);
    t.same(await api('GET', '/v3/gns3vm/engines/vmware/vms', undefined, 200), []);

    t.match(await api('PUT', '/v3/iou_license', { iourc_content: '[license]\n' }, 422), { message: /license_check/ });
    t.same(await api('PUT', '/v3/iou_license', { iourc_content: '[license]\n', license_check: false }, 201), { iourc_content: '[license]\n', license_check: false });
    t.same(await api('GET', '/v3/iou_license', undefined, 200), { iourc_content: '[license]\n', license_check: false });

    const id = '8a2b0c11-5d3e-4f6a-9b7c-0d1e2f3a4b5c';
    t.same(await api('GET', `/v3/appliances/${id}`, undefined, 404), { message: `Could not find appliance '${id}'` });
    t.match(await api('POST', `/v3/appliances/${id}/version`, {}, 422), { message: /name/ });
    t.same(await api('POST', `/v3/appliances/${id}/install`, undefined, 404), { message: `Could not find appliance '${id}'` });
    t.equal((await d.api('/v3/appliances/nope', { headers: await headers() })).status, 422);
  });

  /** Members of a ZIP from its central directory: name, method, where the data starts and its compressed size. */
  function centralDirectory(zip: Buffer): Array<{ name: string; method: number; dataOffset: number; compressedSize: number }> {
    const end = zip.lastIndexOf(Buffer.from([0x50, 0x4b, 0x05, 0x06]));
    const count = zip.readUInt16LE(end + 10);
    let at = zip.readUInt32LE(end + 16);
    const out = [];
    for (let i = 0; i < count; i++) {
      const nameLength = zip.readUInt16LE(at + 28);
      const local = zip.readUInt32LE(at + 42);
      out.push({
        name: zip.subarray(at + 46, at + 46 + nameLength).toString(),
        method: zip.readUInt16LE(at + 10),
        compressedSize: zip.readUInt32LE(at + 20),
        dataOffset: local + 30 + zip.readUInt16LE(local + 26) + zip.readUInt16LE(local + 28),
      });
      at += 46 + nameLength + zip.readUInt16LE(at + 30) + zip.readUInt16LE(at + 32);
    }
    return out;
  }

  async function headers(): Promise<Record<string, string>> {
    return { authorization: `Bearer ${await login(d)}`, 'content-type': 'application/json' };
  }
});
