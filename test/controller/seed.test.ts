/** The seed session through the controller: project, two VPCS from the built-in template, a link, start, ping. */
import t from 'tap';
import { post, withDaemon } from '../helpers/daemon.ts';
import { addVpcs, createProject, link, pingAcross } from './helpers.ts';

t.test('two VPCS on the local compute ping each other through the controller', async (t) => {
  const d = await withDaemon(t, { mode: 'controller' });
  t.equal((await d.json('/v2/version', { expect: 200 })).version, '2.2.59');
  const computes = await d.json('/v2/computes', { expect: 200 });
  t.equal(computes[0].compute_id, 'local');
  const projectId = await createProject(d, 'seed');
  const pc1 = await addVpcs(d, projectId, 'local');
  const pc2 = await addVpcs(d, projectId, 'local', 100);
  t.same([pc1.name, pc2.name], ['PC1', 'PC2']);
  t.equal(pc1.symbol, ':/symbols/vpcs_guest.svg');
  t.equal(pc1.ports[0].name, 'Ethernet0');
  const l = await link(d, projectId, pc1.node_id, pc2.node_id);
  t.equal(l.nodes[0].label.text, '0/0');
  await d.json(`/v2/projects/${projectId}/nodes/start`, { ...post(), expect: 204 });
  const nodes = await d.json(`/v2/projects/${projectId}/nodes`, { expect: 200 });
  t.same(nodes.map((n: any) => n.status), ['started', 'started']);
  const output = await pingAcross(nodes.map((n: any) => ({ host: '127.0.0.1', port: n.console })));
  t.match(output, /10\.0\.0\.2 icmp_seq=3 ttl=/);
  await d.json(`/v2/projects/${projectId}/nodes/stop`, { ...post(), expect: 204 });
  const stopped = await d.json(`/v2/projects/${projectId}/nodes`, { expect: 200 });
  t.same(stopped.map((n: any) => n.status), ['stopped', 'stopped']);
  const bad = await d.api(`/v2/projects/${projectId}/links`, post({ nodes: [{ node_id: pc1.node_id }] }));
  t.equal(bad.status, 400);
  t.match(await bad.json(), { status: 400, message: /adapter_number/ });
});
