/**
 * Bad input to Dynamips routers answered before anything starts (400/409 naming the problem, gns3-server's messages
 * for images), and Frame Relay / ATM switch nodes through the API carrying traffic between their ports.
 */
import { createSocket, type Socket } from 'node:dgram';
import { readFileSync, unlinkSync } from 'node:fs';
import { join } from 'node:path';
import t from 'tap';
import { post, put } from '../helpers/daemon.ts';
import { relabel, vciOf, vpiOf } from '../../src/relay/switching/atm.ts';
import { dlciOf, withDlci } from '../../src/relay/switching/frame-relay.ts';
import { dynamipsFixture, dynamipsIn } from './helpers.ts';
import { testImages } from './images.ts';

t.test('bad router input', async (t) => {
  const { daemon, base, projectId } = await dynamipsFixture(t);
  const image = testImages().mips.name;
  const create = (body: Record<string, unknown>) => daemon.api(base, post({ name: 'Rx', image, ram: 64, platform: 'c3725', ...body }));
  const cases: Array<[string, Record<string, unknown>, number, RegExp]> = [
    ['unknown platform', { platform: 'c9999' }, 400, /"platform": must be one of c7200/],
    ['unknown adapter', { slot1: 'NM-99X' }, 400, /"slot1": unknown adapter "NM-99X"/],
    ['adapter of another platform', { slot1: 'PA-8E' }, 400, /"slot1": adapter "PA-8E" does not fit slot 1 of a c3725 \(NM-1FE-TX, NM-16ESW, NM-4T\)/],
    ['slot out of range', { slot5: 'NM-4T' }, 400, /"slot5": a c3725 has slots 0 to 2/],
    ['fixed motherboard', { slot0: 'NM-4T' }, 400, /"slot0": adapter "NM-4T" does not fit slot 0 of a c3725 \(GT96100-FE\)/],
    ['unknown WIC', { wic0: 'WIC-9X' }, 400, /"wic0": unknown WIC "WIC-9X"/],
    ['WIC slot out of range', { wic2: 'WIC-1T' }, 400, /"wic2": a c3725 has 2 WIC slots/],
    ['WIC on a c7200', { platform: 'c7200', wic0: 'WIC-1T' }, 400, /"wic0": WIC "WIC-1T" does not fit a c7200/],
    ['RAM above the NPE', { platform: 'c7200', npe: 'npe-200', ram: 512 }, 400, /"ram": 512 MB is outside the c7200 npe-200 range \(16 to 256 MB\)/],
    ['RAM too small', { ram: 4 }, 400, /"ram": 4 MB is outside the c3725 range/],
    ['chassis on a c7200', { platform: 'c7200', chassis: '3640' }, 400, /"chassis": c7200 routers do not have chassis/],
    ['unknown chassis', { platform: 'c3600', chassis: '3680' }, 400, /"chassis": unknown c3600 chassis "3680"/],
    ['missing image', { image: 'nope.image' }, 409, /The image nope.image is missing/],
    ['bad idle-PC', { idlepc: 'zz' }, 400, /"idlepc"/],
    ['two problems at once', { slot1: 'X', wic0: 'Y' }, 400, /"slot1".*"wic0"/],
  ];
  for (const [what, body, status, message] of cases) {
    const response = await create(body);
    const answer = await response.json();
    t.equal(response.status, status, `${what}: ${status}`);
    t.match(answer.message, message, `${what}: ${answer.message}`);
  }
  t.match(await (await create({ image: 'nope.image' })).json(), { exception: 'ImageMissingError', image: 'nope.image' }, 'a GNS3 controller uploads the image on this answer');

  // A file that is not an ELF32 big-endian image: created (it exists), refused at start before any process runs.
  await daemon.api('/v2/compute/dynamips/images/notes.image', { method: 'POST', body: 'not an IOS image\n' });
  const bad = await daemon.json(base, { ...post({ name: 'R1', platform: 'c3725', image: 'notes.image', ram: 64 }), expect: 201 });
  const refused = await daemon.api(`${base}/${bad.node_id}/start`, post());
  t.equal(refused.status, 409);
  t.match(await refused.json(), { exception: 'DynamipsError', message: /^".*notes\.image" is not a valid IOS image$/ });
  t.same(dynamipsIn(bad.node_directory), [], 'no hypervisor was started');
  const imagePath = join(daemon.root, 'images', 'IOS', 'notes.image');
  unlinkSync(imagePath);
  t.match(await (await daemon.api(`${base}/${bad.node_id}/start`, post())).json(), { status: 409, message: `IOS image "${imagePath}" is not accessible` });

  const good = await daemon.json(base, { ...post({ name: 'R2', platform: 'c3725', image, ram: 32, idlepc: testImages().mips.idlePc }), expect: 201 });
  const nio = { type: 'nio_udp', lport: 30000, rhost: '127.0.0.1', rport: 30001 };
  t.match(await (await daemon.api(`${base}/${good.node_id}/adapters/9/ports/0/nio`, post(nio))).json(), { status: 409, message: 'Slot 9 does not exist on router "R2"' });
  t.match(await (await daemon.api(`${base}/${good.node_id}/adapters/1/ports/0/nio`, post(nio))).json(), { status: 409, message: 'Adapter is missing in slot 1' });
  t.match(await (await daemon.api(`${base}/${good.node_id}/adapters/0/ports/5/nio`, post(nio))).json(), { status: 409, message: 'Port 5 does not exist on adapter GT96100-FE' });
  const updated = await daemon.json(`${base}/${good.node_id}`, { ...put({ slot1: 'NM-4T', wic0: 'WIC-2T' }), expect: 200 });
  t.match(updated, { slot0: 'GT96100-FE', slot1: 'NM-4T', slot2: null, wic0: 'WIC-2T', wic1: null });
  await daemon.json(`${base}/${good.node_id}/start`, { ...post(), expect: 204 });
  t.match(await (await daemon.api(`${base}/${good.node_id}`, put({ slot2: 'NM-4T' }))).json(), { status: 409, exception: 'DynamipsError', message: /must be stopped/ });
  t.match(await (await daemon.api(`${base}/${good.node_id}`, put({ platform: 'c7200' }))).json(), { status: 400, message: /"platform"/ });

  // Duplicate: config files carry the Dynamips id in their names, so they are copied under the copy's id and renamed.
  const source = await daemon.json(base, { ...post({ name: 'Src', platform: 'c2691', image, ram: 32, startup_config_content: 'hostname %h\nend\n' }), expect: 201 });
  const copy = await daemon.json(base, { ...post({ name: 'Copy', platform: 'c2691', image, ram: 32 }), expect: 201 });
  await daemon.json(`${base}/${source.node_id}/duplicate`, { ...post({ destination_node_id: copy.node_id }), expect: 201 });
  t.equal(readFileSync(join(copy.node_directory, 'configs', `i${copy.dynamips_id}_startup-config.cfg`), 'utf8'), '!\nhostname Copy\nend\n', 'duplicate copies the config under the copy\'s id and name');
  await daemon.json(`/v2/compute/projects/${projectId}/close`, { ...post(), expect: 204 });
});

/** A UDP socket standing for a router serial port linked to a switch port. */
async function station(): Promise<Socket & { received: Buffer[] }> {
  const socket = Object.assign(createSocket('udp4'), { received: [] as Buffer[] });
  socket.on('message', (message) => socket.received.push(message));
  await new Promise<void>((resolve) => socket.bind(0, '127.0.0.1', resolve));
  return socket;
}

t.test('Frame Relay and ATM switch nodes', async (t) => {
  const { daemon, projectId } = await dynamipsFixture(t);
  const project = `/v2/compute/projects/${projectId}`;
  const refused = await daemon.api(`${project}/frame_relay_switch/nodes`, post({ name: 'FR', mappings: { '1:2000': '2:202' } }));
  t.equal(refused.status, 400);
  t.match((await refused.json()).message, /"mappings": "1:2000": DLCI 2000 is above 1023/);

  for (const [type, mappings, make, check] of [
    ['frame_relay_switch', { '1:102': '2:201' }, () => Uint8Array.from([...withDlci(Uint8Array.from([0, 1]), 102), 3, 0xcc, 1, 2, 3]), (f: Buffer) => dlciOf(f) === 201],
    ['atm_switch', { '1:1:100': '2:2:200' }, () => relabel(new Uint8Array(53).fill(7), 1, 100), (f: Buffer) => vpiOf(f) === 2 && vciOf(f) === 200],
  ] as const) {
    const node = await daemon.json(`${project}/${type}/nodes`, { ...post({ name: type, mappings }), expect: 201 });
    t.same(node, { name: type, node_id: node.node_id, project_id: projectId, mappings, status: 'started' }, `${type} JSON as gns3-server's`);
    const [a, b] = [await station(), await station()];
    t.teardown(() => { a.close(); b.close(); });
    const lports: number[] = [];
    for (const [i, s] of [[1, a], [2, b]] as const) {
      const { udp_port } = await daemon.json(`${project}/ports/udp`, { ...post({}), expect: 201 });
      lports.push(udp_port);
      await daemon.json(`${project}/${type}/nodes/${node.node_id}/adapters/0/ports/${i}/nio`, {
        ...post({ type: 'nio_udp', lport: udp_port, rhost: '127.0.0.1', rport: s.address().port }),
        expect: 201,
      });
    }
    a.send(make(), lports[0]!, '127.0.0.1');
    const deadline = Date.now() + 5000;
    while (b.received.length === 0 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 20));
    t.ok(b.received.length === 1 && check(b.received[0]!), `${type}: carried from port 1 to port 2 with its circuit relabelled`);
    await daemon.json(`${project}/${type}/nodes/${node.node_id}`, { ...put({ mappings: {} }), expect: 200 });
    a.send(make(), lports[0]!, '127.0.0.1');
    await new Promise((resolve) => setTimeout(resolve, 200));
    t.equal(b.received.length, 1, `${type}: nothing passes once the mapping is gone`);
  }
});
