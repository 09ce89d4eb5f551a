/**
 * Ghost RAM, idle-PC and a router link through the relay, with real Dynamips and the test images.
 *
 * What needs a real Cisco IOS and is not tested here: frames sent by a router interface (the test image never
 * drives its network cards), realistic idle-PC values (IOS has many candidate loops; the test image has exactly one)
 * and IOS boot times.
 */
import { createSocket } from 'node:dgram';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import pidusage from 'pidusage';
import t from 'tap';
import { post } from '../helpers/daemon.ts';
import { udpFrame } from '../relay/frames.ts';
import { dynamipsFixture, dynamipsIn } from './helpers.ts';
import { eventually } from '../helpers/eventually.ts';
import { testImages } from './images.ts';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Share of one CPU the process used over `ms` (from its CPU time, not a sampled figure). */
async function cpuShare(pid: number, ms = 3000): Promise<number> {
  const before = (await pidusage(pid)).ctime;
  await sleep(ms);
  return (((await pidusage(pid)).ctime - before) / ms) * 100;
}

t.test('ghost RAM is built once per image and RAM size, and auto idle-PC brings the CPU down', async (t) => {
  const { daemon, base } = await dynamipsFixture(t);
  const image = testImages().mips;
  const router = await daemon.json(base, { ...post({ name: 'R1', platform: 'c3725', image: image.name, ram: 32 }), expect: 201 });
  t.equal(router.idlepc, '', 'no idle-PC yet');
  await daemon.json(`${base}/${router.node_id}/start`, { ...post(), expect: 204 });
  const ghost = join(router.node_directory, '..', `${image.name}-32.ghost`);
  t.ok(existsSync(ghost) && statSync(ghost).size > 0, 'ghost RAM file made in project-files/dynamips');

  const [pid] = dynamipsIn(router.node_directory);
  const before = await cpuShare(pid!);
  const proposals: string[] = await daemon.json(`${base}/${router.node_id}/idlepc_proposals`, { expect: 200 });
  t.ok(proposals.length > 0 && proposals.every((p) => /^0x[0-9a-f]{8,16}\b/.test(p)), `proposals: ${proposals.join(', ')}`);
  const { idlepc } = await daemon.json(`${base}/${router.node_id}/auto_idlepc`, { expect: 200 });
  t.ok(proposals.some((p) => p.startsWith(`${idlepc} `)), `auto idle-PC picks one of the proposals (${idlepc})`);
  t.equal((await daemon.json(`${base}/${router.node_id}`)).idlepc, idlepc, 'and the node keeps it');
  const after = await cpuShare(pid!);
  t.comment(`hypervisor CPU: ${before.toFixed(0)} % of a core before auto idle-PC, ${after.toFixed(0)} % after`);
  t.ok(after < before, 'the router uses less CPU with the idle-PC found');

  const second = await daemon.json(base, { ...post({ name: 'R2', platform: 'c3745', image: image.name, ram: 32, idlepc }), expect: 201 });
  const ghostTime = statSync(ghost).mtimeMs;
  await daemon.json(`${base}/${second.node_id}/start`, { ...post(), expect: 204 });
  t.equal(statSync(ghost).mtimeMs, ghostTime, 'a second router of the same image and RAM reuses the ghost file');
  await daemon.json(`${base}/${second.node_id}/stop`, { ...post(), expect: 204 });
  await daemon.json(`${base}/${router.node_id}/stop`, { ...post(), expect: 204 });
});

t.test('a router port is wired through a relay bridge: counters and capture see frames sent to the router', async (t) => {
  const { daemon, base, projectId } = await dynamipsFixture(t);
  const image = testImages().echo;
  const router = await daemon.json(base, {
    ...post({ name: 'R1', platform: 'c7200', image: image.name, ram: 32, idlepc: image.idlePc, slot1: 'PA-FE-TX' }),
    expect: 201,
  });
  const peer = createSocket('udp4');
  await new Promise<void>((resolve) => peer.bind(0, '127.0.0.1', resolve));
  t.teardown(() => peer.close());
  const { udp_port: lport } = await daemon.json(`/v2/compute/projects/${projectId}/ports/udp`, { ...post({}), expect: 201 });
  const port = `${base}/${router.node_id}/adapters/1/ports/0`;
  await daemon.json(`${port}/nio`, { ...post({ type: 'nio_udp', lport, rhost: '127.0.0.1', rport: peer.address().port }), expect: 201 });
  await daemon.json(`${base}/${router.node_id}/start`, { ...post(), expect: 204 });
  const { pcap_file_path: capture } = await daemon.json(`${port}/start_capture`, {
    ...post({ capture_file_name: 'r1-fa1-0.pcap', data_link_type: 'DLT_EN10MB' }),
    expect: 200,
  });
  const metric = async () => Number(/patchbay_relay_packets_total\{direction="in"\} (\d+)/.exec(await (await daemon.api('/metrics')).text())?.[1] ?? 0);
  const counted = await metric();
  const frame = udpFrame('10.0.0.2', '10.0.0.1', 4000, 5000, { src: '02:00:00:00:00:02', dst: 'ca:01:00:00:00:00' });
  for (let i = 0; i < 5; i++) peer.send(frame, lport, '127.0.0.1');
  await eventually(() => (existsSync(capture) && readFileSync(capture).length >= 24 + 5 * (16 + frame.length)) || undefined, 'captured frames', 5000);
  t.equal(readFileSync(capture).length, 24 + 5 * (16 + frame.length), 'five frames captured on the router port');
  t.equal((await metric()) - counted, 5, 'relay counters saw the five frames from the link');
  t.ok(dynamipsIn(router.node_directory).length === 1, 'delivered to the running hypervisor (the image does not answer)');
  await daemon.json(`${port}/stop_capture`, { ...post(), expect: 204 });
  await daemon.json(`${port}/nio`, { method: 'DELETE', expect: 204 });
  t.rejects(daemon.json(`${port}/start_capture`, { ...post({ capture_file_name: 'x.pcap' }), expect: 200 }), /409/, 'no capture on an unlinked port');
  // Hot-plug: linking a port while the router runs creates the Dynamips NIO on the fly.
  await daemon.json(`${port}/nio`, { ...post({ type: 'nio_udp', lport, rhost: '127.0.0.1', rport: peer.address().port }), expect: 201 });
  await daemon.json(`${base}/${router.node_id}/stop`, { ...post(), expect: 204 });
});
