/** The same sources under Deno: a /v3 export is a Zstandard archive (the WebAssembly codec loads there too) and imports back. */
import t from 'tap';
import { randomUUID } from 'node:crypto';
import { withDaemon } from '../helpers/daemon.ts';
import { bearer, login } from './helpers.ts';

t.test('zstd export and import under Deno', async (t) => {
  const d = await withDaemon(t, { mode: 'controller', runtime: 'deno' });
  const token = await login(d);
  const api = bearer(d, token);
  const auth = { authorization: `Bearer ${token}` };
  const project = await api('POST', '/v3/projects', { name: 'deno-packed' }, 201);
  const readme = 'under deno '.repeat(100);
  t.equal((await d.api(`/v3/projects/${project.project_id}/files/README.txt`, { method: 'POST', headers: auth, body: readme })).status, 204);
  const archive = new Uint8Array(await (await d.api(`/v3/projects/${project.project_id}/export`, { headers: auth })).arrayBuffer());
  // The first local header's method field (offset 8) says Zstandard.
  t.equal(archive[8] | (archive[9] << 8), 93, 'ZIP method 93');
  const imported = await d.api(`/v3/projects/${randomUUID()}/import?name=deno-unpacked`, { method: 'POST', headers: auth, body: archive });
  t.equal(imported.status, 201);
  const copy = await imported.json();
  await api('POST', `/v3/projects/${copy.project_id}/open`, undefined, 201);
  t.equal(await (await d.api(`/v3/projects/${copy.project_id}/files/README.txt`, { headers: auth })).text(), readme);
});
