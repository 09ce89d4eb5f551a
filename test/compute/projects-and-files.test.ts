/** Compute project semantics GNS3 clients rely on: idempotent creates, files API, duplicate, close vs delete. */
import t from 'tap';
import { createHash, randomUUID } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { post, put, VPCS_083, withDaemon } from '../helpers/daemon.ts';

t.test('projects and files', async (t) => {
  const daemon = await withDaemon(t, { args: ['--vpcs-path', VPCS_083] });
  const projectId = randomUUID();
  const base = `/v2/compute/projects/${projectId}`;

  const created = await daemon.json('/v2/compute/projects', { ...post({ name: 'p1', project_id: projectId }), expect: 201 });
  t.same(created, { name: 'p1', project_id: projectId, variables: null }, 'GNS3 project object, variables null');
  const again = await daemon.json('/v2/compute/projects', { ...post({ name: 'other', project_id: projectId }), expect: 201 });
  t.equal(again.name, 'p1', 're-creating returns the existing project unchanged');
  const updated = await daemon.json(base, { ...put({ variables: [{ name: 'a', value: '1' }], name: 'ignored' }), expect: 200 });
  t.same(updated.variables, [{ name: 'a', value: '1' }], 'variables stored');
  t.equal(updated.name, 'p1', 'name is the controller\'s business');

  const node = await daemon.json(`${base}/vpcs/nodes`, { ...post({ name: 'PC1', startup_script: 'set pcname %h\nip 10.0.0.1/24\n' }), expect: 201 });
  const same = await daemon.json(`${base}/vpcs/nodes`, { ...post({ name: 'PC1bis', node_id: node.node_id }), expect: 201 });
  t.equal(same.name, 'PC1', 'creating an existing node_id returns that node');
  const script = readFileSync(join(node.node_directory, 'startup.vpc'), 'utf8');
  t.equal(script, 'set pcname PC1\nip 10.0.0.1/24\n', '%h replaced by the node name');

  await daemon.json(`${base}/vpcs/nodes/${node.node_id}`, { ...put({ name: 'Alpha' }), expect: 200 });
  t.match(readFileSync(join(node.node_directory, 'startup.vpc'), 'utf8'), /^set pcname Alpha$/m, 'rename rewrites startup.vpc');

  const upload = await daemon.api(`${base}/files/a/b/hello.txt`, { method: 'POST', body: 'hello world' });
  t.equal(upload.status, 201, 'upload creates parent directories');
  const download = await daemon.api(`${base}/files/a/b/hello.txt`);
  t.equal(download.headers.get('content-type'), 'text/plain');
  t.equal(await download.text(), 'hello world');
  const files = await daemon.json(`${base}/files`, { expect: 200 });
  t.same(
    files.find((f: { path: string }) => f.path === 'a/b/hello.txt'),
    { path: 'a/b/hello.txt', md5sum: createHash('md5').update('hello world').digest('hex') },
    'listing carries md5 sums',
  );

  const copy = await daemon.json(`${base}/vpcs/nodes`, { ...post({ name: 'Copy' }), expect: 201 });
  const duplicated = await daemon.json(`${base}/vpcs/nodes/${node.node_id}/duplicate`, { ...post({ destination_node_id: copy.node_id }), expect: 201 });
  t.equal(duplicated.name, 'Copy', 'duplicate answers with the destination node');
  t.match(readFileSync(join(copy.node_directory, 'startup.vpc'), 'utf8'), /set pcname Alpha/, 'the working directory was copied');

  await daemon.json(`${base}/vpcs/nodes/${copy.node_id}`, { method: 'DELETE', expect: 204 });
  t.notOk(existsSync(copy.node_directory), 'deleting a node removes its directory');

  const stream = await daemon.api(`${base}/notifications`);
  const reader = stream.body!.getReader();
  let streamed = '';
  const lines = async (count: number) => {
    while (streamed.split('\n').length <= count) streamed += new TextDecoder().decode((await reader.read()).value);
    return streamed.split('\n').slice(0, count).map((line) => JSON.parse(line));
  };
  await daemon.json(`${base}/vpcs/nodes/${node.node_id}`, { ...put({ name: 'Beta' }), expect: 200 });
  const [ping, update] = await lines(2);
  t.equal(ping.action, 'ping', 'the legacy stream opens with a ping');
  t.same([update.action, update.event.name, update.project_id], ['node.updated', 'Beta', projectId], 'then the project\'s events, one per line');
  await reader.cancel();

  const debug = await (await daemon.api('/v2/compute/debug')).text();
  t.match(debug, /console ports \d+-\d+ reserved: \d+/, 'the debug dump lists reserved ports');

  await daemon.json(`${base}/close`, { ...post(), expect: 204 });
  t.ok(existsSync(node.node_directory), 'close keeps the files');
  await daemon.json(base, { expect: 404 });
  await daemon.json('/v2/compute/projects', { ...post({ name: 'p1', project_id: projectId }), expect: 201 });
  await daemon.json(`${base}/vpcs/nodes/${node.node_id}`, { expect: 404 });
  await daemon.json(base, { method: 'DELETE', expect: 204 });
  t.notOk(existsSync(join(daemon.projectsDir, projectId)), 'delete removes the project directory');
});
