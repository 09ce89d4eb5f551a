/**
 * The controller reaches its local compute in-process, below the root middleware: a request through /v2 is counted,
 * logged, authenticated and drained once.
 */
import t from 'tap';
import { post, put, withDaemon } from '../helpers/daemon.ts';
import { addVpcs, createProject } from './helpers.ts';

/** Requests the daemon's HTTP metrics counted, by route template prefix. */
async function counted(d: { api(path: string): Promise<Response> }, routePrefix: string): Promise<number> {
  const text = await (await d.api('/metrics')).text();
  return [...text.matchAll(/^patchbay_http_requests_total\{method="[A-Z]+",route="([^"]*)",status="\d+"\} (\d+)$/gm)]
    .filter((m) => m[1]!.startsWith(routePrefix))
    .reduce((sum, m) => sum + Number(m[2]), 0);
}

t.test('controller requests to the local compute do not run the HTTP middleware a second time', async (t) => {
  const d = await withDaemon(t, { mode: 'controller' });
  const projectId = await createProject(d, 'local-compute');
  const node = await addVpcs(d, projectId, 'local');
  const before = await counted(d, '/v2/compute/');
  const renamed = await d.json(`/v2/projects/${projectId}/nodes/${node.node_id}`, { ...put({ name: 'Renamed' }), expect: 200 });
  t.equal(renamed.name, 'Renamed');
  const direct = await d.json(`/v2/compute/projects/${projectId}/vpcs/nodes/${node.node_id}`, { expect: 200 });
  t.equal(direct.name, 'Renamed', 'the compute applied the update');
  t.equal(await counted(d, '/v2/compute/'), before + 1, 'only the direct compute request was counted on compute routes');
  t.ok(await counted(d, '/v2/projects/{project_id}/nodes/{node_id}') >= 1, 'the controller request was counted');

  const started = await d.json(`/v2/projects/${projectId}/nodes/${node.node_id}/start`, { ...post(), expect: 200 });
  t.equal(started.status, 'started', 'a start through the controller reaches the compute in-process');
  await d.json(`/v2/projects/${projectId}/nodes/${node.node_id}/stop`, { ...post(), expect: 200 });
});
