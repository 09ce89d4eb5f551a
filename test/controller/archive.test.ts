/** Export/import, duplicate and snapshots, plus GNS3's error shapes on a few bad requests. */
import t from 'tap';
import { randomUUID } from 'node:crypto';
import { post, put, withDaemon } from '../helpers/daemon.ts';
import { addVpcs, createProject, link } from './helpers.ts';

t.setTimeout(120_000);

t.test('archives, snapshots and errors', async (t) => {
  const d = await withDaemon(t, { mode: 'controller' });
  const projectId = await createProject(d, 'arch');
  const [a, b] = [await addVpcs(d, projectId, 'local'), await addVpcs(d, projectId, 'local')];
  await link(d, projectId, a.node_id, b.node_id);

  const exported = await d.api(`/v2/projects/${projectId}/export`);
  t.equal(exported.status, 200);
  t.equal(exported.headers.get('content-type'), 'application/gns3project');
  const zip = new Uint8Array(await exported.arrayBuffer());
  const importedId = randomUUID();
  const imported = await d.json(`/v2/projects/${importedId}/import?name=copy`, { method: 'POST', body: zip, expect: 201 });
  t.match(imported, { project_id: importedId, name: 'copy', status: 'closed', auto_close: true });
  await d.json(`/v2/projects/${importedId}/open`, { ...post(), expect: 201 });
  const nodes = await d.json(`/v2/projects/${importedId}/nodes`);
  t.same(nodes.map((n: any) => n.name).sort(), ['PC1', 'PC2']);
  t.notOk(nodes.some((n: any) => n.node_id === a.node_id), 'imported nodes get new ids');
  t.equal((await d.json(`/v2/projects/${importedId}/links`)).length, 1);

  const dup = await d.json(`/v2/projects/${projectId}/duplicate`, { ...post({ name: 'arch' }), expect: 201 });
  t.match(dup, { name: 'arch-1', status: 'closed' });
  t.equal((await d.api(`/v2/projects/${projectId}/duplicate`, post({}))).status, 400);

  const snap = await d.json(`/v2/projects/${projectId}/snapshots`, { ...post({ name: 'snap1' }), expect: 201 });
  t.equal((await d.api(`/v2/projects/${projectId}/snapshots`, post({ name: 'snap1' }))).status, 409);
  // Fuzz seed 709170202 found a 500 for a 1000-character name (ENAMETOOLONG); a separator would write elsewhere.
  const tooLong = await d.api(`/v2/projects/${projectId}/snapshots`, post({ name: 'x'.repeat(1000) }));
  t.match([tooLong.status, await tooLong.json()], [409, { message: /Cannot write file .*name too long/ }], 'a name the file system refuses is a 409');
  for (const name of ['../escape', 'sub/dir']) {
    t.equal((await d.api(`/v2/projects/${projectId}/snapshots`, post({ name }))).status, 403, `snapshot name ${name} refused`);
  }
  await d.json(`/v2/projects/${projectId}/nodes/${a.node_id}`, { method: 'DELETE', expect: 204 });
  t.equal((await d.json(`/v2/projects/${projectId}/nodes`)).length, 1);
  const restored = await d.json(`/v2/projects/${projectId}/snapshots/${snap.snapshot_id}/restore`, { ...post(), expect: 201 });
  t.equal(restored.status, 'opened');
  t.equal((await d.json(`/v2/projects/${projectId}/nodes`)).length, 2, 'restore brings the deleted node back');
  t.equal((await d.json(`/v2/projects/${projectId}/snapshots`)).length, 1);

  const missing = await d.api(`/v2/projects/${randomUUID()}`);
  t.equal(missing.status, 404);
  t.match(await missing.json(), { status: 404, message: /^Project ID .* doesn't exist$/ });
  const extra = await d.api(`/v2/projects/${projectId}`, put({ project_id: projectId }));
  t.equal(extra.status, 400, 'read-only project keys are refused like GNS3');
  const badNode = await d.api(`/v2/projects/${projectId}/nodes`, post({ node_type: 'vpcs', compute_id: 'local' }));
  t.equal(badNode.status, 400);
  t.match(await badNode.json(), { message: /name/ });
  const noCompute = await d.api(`/v2/projects/${projectId}/nodes`, post({ name: 'x', node_type: 'vpcs', compute_id: 'nope' }));
  t.match(await noCompute.json(), { status: 404, message: "Compute ID nope doesn't exist" });
  const filters = await d.json(`/v2/projects/${projectId}/links`);
  const updated = await d.json(`/v2/projects/${projectId}/links/${filters[0].link_id}`, {
    ...put({ filters: { delay: ['100', 10], packet_loss: [0], bpf: ['icmp\n'] } }), expect: 201,
  });
  t.same(updated.filters, { delay: ['100', 10], bpf: ['icmp'] });
  t.equal((await d.json(`/v2/projects/${projectId}/links/${filters[0].link_id}/available_filters`)).length, 5);
  await d.json(`/v2/projects/${projectId}`, { method: 'DELETE', expect: 204 });
  t.equal((await d.api(`/v2/projects/${projectId}`)).status, 404);
});
