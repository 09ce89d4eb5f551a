/**
 * Docker node data plane through the relay's TAP endpoints (real dockerd, real VPCS, traffic only inside the
 * containers and 127.0.0.1): Docker↔Docker and Docker↔VPCS pings, a tshark-read capture of the Docker↔VPCS link,
 * a link added and removed while the containers run, and link suspension.
 */
import t from 'tap';
import { execFileSync } from 'node:child_process';
import { withDaemon, withProject, post, put, VPCS_083 } from '../helpers/daemon.ts';
import { TelnetClient } from '../helpers/telnet.ts';
import { setIp } from '../helpers/vpcs-console.ts';
import { IMAGE, QUICK_STOP, execIn, until } from './helpers.ts';

/** busybox ping from inside a container: the count of echo replies received. */
function pingFrom(container: string, target: string, count = 3): number {
  let output: string;
  try {
    output = execIn(container, 'ping', '-c', String(count), '-W', '2', target);
  } catch (err) {
    output = String((err as { stdout?: string }).stdout ?? '');
  }
  return Number(/(\d+) packets received/.exec(output)?.[1] ?? 0);
}

t.test('docker links through the relay', async (t) => {
  const daemon = await withDaemon(t, { args: ['--vpcs-path', VPCS_083, '--relay-io', 'native'] });
  const { path: project, udpPort } = await withProject(t, daemon, 'docker-links');
  const docker = (name: string) => daemon.json(`${project}/docker/nodes`, {
    ...post({ name, image: IMAGE, console_type: 'none', adapters: 2, start_command: QUICK_STOP }),
    expect: 201,
  });
  const [d1, d2] = await Promise.all([docker('D1'), docker('D2')]);
  const pc = await daemon.json(`${project}/vpcs/nodes`, { ...post({ name: 'PC1' }), expect: 201 });
  const nio = (node: { node_id: string }, type: string, adapter: number) =>
    `${project}/${type}/nodes/${node.node_id}/adapters/${adapter}/ports/0/nio`;
  const link = async (a: [any, string, number], b: [any, string, number]) => {
    const [pa, pb] = await Promise.all([udpPort(), udpPort()]);
    await daemon.json(nio(...a), { ...post({ type: 'nio_udp', lport: pa, rhost: '127.0.0.1', rport: pb }), expect: 201 });
    await daemon.json(nio(...b), { ...post({ type: 'nio_udp', lport: pb, rhost: '127.0.0.1', rport: pa }), expect: 201 });
    return { pa, pb };
  };

  // D1 eth0 ⇄ D2 eth0 linked before start; D1 eth1 ⇄ PC1 linked once everything runs.
  await link([d1, 'docker', 0], [d2, 'docker', 0]);
  for (const node of [d1, d2]) await daemon.json(`${project}/docker/nodes/${node.node_id}/start`, { ...post(), expect: 204 });
  await daemon.json(`${project}/vpcs/nodes/${pc.node_id}/start`, { ...post(), expect: 200 });
  execIn(d1.container_id, 'ip', 'addr', 'add', '10.77.0.1/24', 'dev', 'eth0');
  execIn(d2.container_id, 'ip', 'addr', 'add', '10.77.0.2/24', 'dev', 'eth0');
  execIn(d1.container_id, 'ip', 'addr', 'add', '10.78.0.1/24', 'dev', 'eth1');
  t.match(execIn(d1.container_id, 'ip', 'link', 'show', 'eth0'), /LOWER_UP/, 'eth0 is up with carrier (the relay holds the TAP)');

  t.test('Docker to Docker', async (t) => {
    t.ok(await until(() => pingFrom(d1.container_id, '10.77.0.2') > 0, 'D1 → D2 ping', 20_000), 'D1 pings D2 through the relay');
  });

  t.test('a link added while running, captured, suspended and removed', async (t) => {
    const console = await TelnetClient.connect(pc.console);
    t.teardown(() => console.close());
    await setIp(console, '10.78.0.2');
    const { pa, pb } = await link([d1, 'docker', 1], [pc, 'vpcs', 0]);
    const started = await daemon.json(`${nio(d1, 'docker', 1).replace(/\/nio$/, '')}/start_capture`, {
      ...post({ capture_file_name: 'd1-pc1.pcap' }),
      expect: 200,
    });
    t.ok(await until(() => pingFrom(d1.container_id, '10.78.0.2') > 0, 'D1 → PC1 ping', 20_000), 'D1 pings VPCS over a link added while running');
    await daemon.json(`${nio(d1, 'docker', 1).replace(/\/nio$/, '')}/stop_capture`, { ...post(), expect: 204 });
    const frames = execFileSync('tshark', ['-r', started.pcap_file_path, '-Y', 'icmp', '-T', 'fields', '-e', 'icmp.type'], { encoding: 'utf8' })
      .trim().split('\n').filter(Boolean);
    t.ok(frames.includes('8') && frames.includes('0'), `tshark sees echo requests and replies in the capture (${frames.length} ICMP frames)`);

    const suspend = (value: boolean) => daemon.json(nio(d1, 'docker', 1), {
      ...put({ type: 'nio_udp', lport: pa, rhost: '127.0.0.1', rport: pb, suspend: value }),
      expect: 201,
    });
    await suspend(true);
    t.equal(pingFrom(d1.container_id, '10.78.0.2', 2), 0, 'a suspended link carries nothing');
    await suspend(false);
    t.ok(await until(() => pingFrom(d1.container_id, '10.78.0.2', 2) > 0, 'ping after resume', 20_000), 'and carries traffic again once resumed');

    await daemon.json(nio(d1, 'docker', 1), { method: 'DELETE', expect: 204 });
    t.match(execIn(d1.container_id, 'ip', 'link', 'show', 'eth1'), /eth1/, 'the interface stays when its link goes (as GNS3)');
    t.equal(pingFrom(d1.container_id, '10.78.0.2', 2), 0, 'nothing passes once the link is removed');
  });
});
