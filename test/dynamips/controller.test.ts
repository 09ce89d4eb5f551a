/**
 * Dynamips through the controller: a template with GNS3's per-platform defaults, a router created from it with
 * GNS3's port list (adapters and WICs), idle-PC routes forwarded to the compute, and the router surviving a
 * `.gns3` round trip (close, reopen, start again with the same Dynamips id, MAC, slots and config), and auto idle-PC for
 * an image through a compute (gns3-server's throw-away project).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import t from 'tap';
import { post, withDaemon } from '../helpers/daemon.ts';
import { TelnetClient } from '../helpers/telnet.ts';
import { createProject } from '../controller/helpers.ts';
import { BANNER, DYNAMIPS, testImages } from './images.ts';

t.test('templates, ports, idle-PC and a .gns3 round trip', async (t) => {
  const d = await withDaemon(t, { mode: 'controller', args: ['--dynamips-path', DYNAMIPS] });
  const image = testImages().mips;
  await d.api(`/v2/compute/dynamips/images/${image.name}`, { method: 'POST', body: readFileSync(image.file) });
  // Auto idle-PC for an image boots a throw-away router and gives it gns3-server's 20 s to boot before sampling: it
  // runs beside the rest of the test (its own project and Dynamips) and is checked at the end.
  const autoIdlePc = d.json('/v2/computes/local/auto_idlepc', { ...post({ platform: 'c3725', image: image.name, ram: 32 }), expect: 200 });
  autoIdlePc.catch(() => {}); // Awaited below; a failure must not go unhandled while the other steps run.

  const refused = await d.api('/v2/templates', post({ name: 'bad', template_type: 'dynamips', platform: 'c9000', image: image.name, compute_id: 'local' }));
  t.equal(refused.status, 400, 'unknown platform refused');
  const template = await d.json('/v2/templates', {
    ...post({ name: 'c3725 test', template_type: 'dynamips', platform: 'c3725', image: image.name, compute_id: 'local', ram: 32, slot1: 'NM-4T', wic0: 'WIC-2T', idlepc: image.idlePc }),
    expect: 201,
  });
  t.match(template, { nvram: 256, iomem: 5, sparsemem: true, mmap: true, exec_area: 64, idlemax: 500, startup_config: 'ios_base_startup-config.txt', default_name_format: 'R{0}', category: 'router' }, 'GNS3 defaults for a c3725 template');
  const c7200 = await d.json('/v2/templates', { ...post({ name: 'c7200', template_type: 'dynamips', platform: 'c7200', image: image.name, compute_id: 'local' }), expect: 201 });
  t.match(c7200, { ram: 512, nvram: 512, npe: 'npe-400', midplane: 'vxr' }, 'and for a c7200');

  const projectId = await createProject(d, 'routers');
  const node = await d.json(`/v2/projects/${projectId}/templates/${template.template_id}`, { ...post({ x: 0, y: 0, compute_id: 'local' }), expect: 201 });
  t.match(node, { name: 'R1', node_type: 'dynamips', console_type: 'telnet', properties: { platform: 'c3725', ram: 32, dynamips_id: 1, slot0: 'GT96100-FE', slot1: 'NM-4T', slot2: null, wic0: 'WIC-2T', iomem: 5 } });
  t.same(node.ports.map((p: any) => [p.name, p.short_name, p.adapter_number, p.port_number, p.link_type]), [
    ['FastEthernet0/0', 'f0/0', 0, 0, 'ethernet'],
    ['FastEthernet0/1', 'f0/1', 0, 1, 'ethernet'],
    ['Serial1/0', 's1/0', 1, 0, 'serial'],
    ['Serial1/1', 's1/1', 1, 1, 'serial'],
    ['Serial1/2', 's1/2', 1, 2, 'serial'],
    ['Serial1/3', 's1/3', 1, 3, 'serial'],
    ['Serial0/0', 's0/0', 0, 16, 'serial'],
    ['Serial0/1', 's0/1', 0, 17, 'serial'],
  ], 'GNS3\'s port list: slot adapters, then WIC ports on adapter 0 from port 16');
  t.same(node.ports[2].data_link_types, { 'Frame Relay': 'DLT_FRELAY', 'Cisco HDLC': 'DLT_C_HDLC', 'Cisco PPP': 'DLT_PPP_SERIAL' });

  const nodeUrl = `/v2/projects/${projectId}/nodes/${node.node_id}`;
  const started = await d.json(`${nodeUrl}/start`, { ...post(), expect: 200 });
  t.equal(started.status, 'started');
  const console = await TelnetClient.connect(started.console);
  await console.waitFor(new RegExp(BANNER));
  console.close();
  const proposals = await d.json(`${nodeUrl}/dynamips/idlepc_proposals`, { expect: 200 });
  t.ok(Array.isArray(proposals) && proposals.length > 0, `idle-PC proposals through the controller: ${proposals.join(', ')}`);
  await d.json(`${nodeUrl}/stop`, { ...post(), expect: 200 });
  const config = readFileSync(join(started.node_directory, 'configs', 'i1_startup-config.cfg'), 'utf8');
  t.match(config, /^hostname R1$/m, 'the base startup config went to the router, named after it');

  const saved = JSON.parse(readFileSync(join(d.projectsDir, projectId, 'routers.gns3'), 'utf8'));
  const savedNode = saved.topology.nodes.find((n: any) => n.node_id === node.node_id);
  t.match(savedNode, { node_type: 'dynamips', properties: { platform: 'c3725', dynamips_id: 1, slot1: 'NM-4T', wic0: 'WIC-2T', mac_addr: node.properties.mac_addr } });
  t.notOk('startup_config_content' in savedNode.properties, 'config contents stay in the node directory, not in the .gns3 file');

  await d.json(`/v2/projects/${projectId}/close`, { ...post(), expect: 204 });
  await d.json(`/v2/projects/${projectId}/open`, { ...post(), expect: 201 });
  const reopened = await d.json(nodeUrl, { expect: 200 });
  // gns3-server resets idle-PC to 0x0 before sampling proposals; so do we.
  t.match(reopened.properties, { dynamips_id: 1, mac_addr: node.properties.mac_addr, slot1: 'NM-4T', wic0: 'WIC-2T', idlepc: '0x0' }, 'same router after reopening');
  t.equal(reopened.ports.length, 8);
  const again = await d.json(`${nodeUrl}/start`, { ...post(), expect: 200 });
  const console2 = await TelnetClient.connect(again.console);
  await console2.waitFor(new RegExp(BANNER));
  console2.close();
  await d.json(`${nodeUrl}/stop`, { ...post(), expect: 200 });
  t.match(readFileSync(join(started.node_directory, 'configs', 'i1_startup-config.cfg'), 'utf8'), /^hostname R1$/m, 'config kept across the round trip');

  const { idlepc } = await autoIdlePc;
  t.match(idlepc, /^0x[0-9a-f]{8,16}$/, `auto idle-PC for an image (gns3-server's throw-away project): ${idlepc}`);
  const leftovers = (await d.json('/v2/compute/projects')).filter((p: { name: string }) => p.name === 'AUTOIDLEPC');
  t.same(leftovers, [], 'the throw-away project is gone');
});
