/**
 * Docker nodes through the controller: a Docker template, the compute's image list, and a topology of a Docker node,
 * an Ethernet switch and a VPCS saved to its .gns3 file, closed (container removed), reopened and started again,
 * with the container's persistent /etc/network bringing its address back.
 */
import t from 'tap';
import { readFile } from 'node:fs/promises';
import { withDaemon, post, VPCS_083 } from '../helpers/daemon.ts';
import { TelnetClient } from '../helpers/telnet.ts';
import { setIp } from '../helpers/vpcs-console.ts';
import { createProject, eventually, VPCS_TEMPLATE } from '../controller/helpers.ts';
import { IMAGE, QUICK_STOP, execIn, inspect } from './helpers.ts';

const SWITCH_TEMPLATE = '1966b864-93e7-32d5-965f-001384eec461';

function pings(container: string, target: string): number {
  try {
    return Number(/(\d+) packets received/.exec(execIn(container, 'ping', '-c', '2', '-W', '2', target))?.[1] ?? 0);
  } catch {
    return 0;
  }
}

t.test('docker template, topology save/close/reopen/start', async (t) => {
  const d = await withDaemon(t, { mode: 'controller', args: ['--vpcs-path', VPCS_083, '--relay-io', 'native'] });

  const template = await d.json('/v2/templates', {
    ...post({ name: 'pbdk', template_type: 'docker', compute_id: 'local', image: 'pbdk-busybox', start_command: QUICK_STOP, adapters: 2 }),
    expect: 201,
  });
  t.match(template, {
    template_type: 'docker', image: 'pbdk-busybox', adapters: 2, console_type: 'telnet', console_http_port: 80, category: 'guest',
    default_name_format: '{name}-{0}', symbol: ':/symbols/docker_guest.svg', builtin: false,
  });
  const images = await d.json('/v2/computes/local/docker/images', { expect: 200 });
  t.ok(images.some((i: { image: string }) => i.image === IMAGE), 'the compute\'s images, through the controller');

  const projectId = await createProject(d, 'docker-topology');
  const at = (x: number) => ({ ...post({ x, y: 0, compute_id: 'local' }), expect: 201 });
  const dk = await d.json(`/v2/projects/${projectId}/templates/${template.template_id}`, at(0));
  const sw = await d.json(`/v2/projects/${projectId}/templates/${SWITCH_TEMPLATE}`, at(100));
  const pc = await d.json(`/v2/projects/${projectId}/templates/${VPCS_TEMPLATE}`, at(200));
  t.equal(dk.name, 'pbdk-1');
  t.match(dk.properties, { image: 'pbdk-busybox:latest', adapters: 2, start_command: QUICK_STOP });
  t.same(dk.ports.map((p: { name: string }) => p.name), ['eth0', 'eth1'], 'one port per adapter, named eth<n>');
  const link = (a: string, adapter: number, b: string, port: number) => d.json(`/v2/projects/${projectId}/links`, {
    ...post({ nodes: [{ node_id: a, adapter_number: adapter, port_number: 0 }, { node_id: b, adapter_number: 0, port_number: port }] }),
    expect: 201,
  });
  await link(dk.node_id, 0, sw.node_id, 0);
  await link(pc.node_id, 0, sw.node_id, 1);

  await d.json(`/v2/projects/${projectId}/nodes/start`, { ...post(), expect: 204 });
  const started = await d.json(`/v2/projects/${projectId}/nodes/${dk.node_id}`, { expect: 200 });
  t.equal(started.status, 'started');
  const containerId = started.properties.container_id;
  t.equal(inspect(containerId).State.Running, true);
  // The address goes into the node's persistent /etc/network, so it comes back after close and reopen.
  execIn(containerId, 'sh', '-c', 'printf "auto eth0\\niface eth0 inet static\\n\\taddress 10.79.0.1\\n\\tnetmask 255.255.255.0\\n" > /etc/network/interfaces && ifup eth0');
  const console = await TelnetClient.connect(pc.console);
  await setIp(console, '10.79.0.2');
  console.close();
  await eventually(async () => (pings(containerId, '10.79.0.2') > 0 ? true : undefined), 'Docker → VPCS through the switch');
  t.pass('the Docker node pings the VPCS through the switch');

  const file = JSON.parse(await readFile(`${d.projectsDir}/${projectId}/docker-topology.gns3`, 'utf8'));
  const saved = file.topology.nodes.find((n: { node_id: string }) => n.node_id === dk.node_id);
  t.match(saved, { node_type: 'docker', name: 'pbdk-1', properties: { image: 'pbdk-busybox:latest', adapters: 2, start_command: QUICK_STOP } });

  await d.json(`/v2/projects/${projectId}/close`, { ...post(), expect: 204 });
  t.equal(inspect(containerId), null, 'closing the project removed the container');
  await d.json(`/v2/projects/${projectId}/open`, { ...post(), expect: 201 });
  await d.json(`/v2/projects/${projectId}/nodes/start`, { ...post(), expect: 204 });
  const reopened = await d.json(`/v2/projects/${projectId}/nodes/${dk.node_id}`, { expect: 200 });
  t.equal(reopened.status, 'started');
  t.not(reopened.properties.container_id, containerId, 'a new container for the reopened project');
  const again = TelnetClient.connect((await d.json(`/v2/projects/${projectId}/nodes/${pc.node_id}`)).console);
  await setIp(await again, '10.79.0.2');
  (await again).close();
  await eventually(async () => (pings(reopened.properties.container_id, '10.79.0.2') > 0 ? true : undefined), 'ping after reopening');
  t.pass('after reopening, the address came back from /etc/network and the ping works again');
  await d.json(`/v2/projects/${projectId}/close`, { ...post(), expect: 204 });
  t.equal(inspect(reopened.properties.container_id), null);
});
