/**
 * Decompression limits of project import (/v2 and /v3), against a real daemon over HTTP with real archives made here:
 * deflate and Zstandard bombs (64 MiB of zeros in a few KiB), too much in all, too many members, a member named
 * outside the project, a truncated archive. Each is refused with a 4xx naming why, and leaves nothing on disk. The
 * daemon runs with small limits (the import_max_* options) so that a bomb crosses them in a fraction of a second;
 * the defaults (64 GiB a member) are the same code with other numbers.
 */
import { randomUUID } from 'node:crypto';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import t from 'tap';
import { unzipSync, zipSync } from 'fflate';
import { zipArchive } from '../../src/controller/zip-archive.ts';
import { withDaemon } from '../helpers/daemon.ts';
import { login } from '../v3/helpers.ts';
import { addVpcs, createProject, eventually } from './helpers.ts';

const MiB = 1024 * 1024;
const MEMBER_LIMIT = 1 * MiB;
const TOTAL_LIMIT = 4 * MiB;
const MEMBER_COUNT_LIMIT = 50;

t.test('imports that inflate beyond the limits are refused and leave nothing behind', async (t) => {
  const d = await withDaemon(t, {
    mode: 'controller',
    args: ['--import-max-member-bytes', String(MEMBER_LIMIT), '--import-max-bytes', String(TOTAL_LIMIT), '--import-max-members', String(MEMBER_COUNT_LIMIT)],
  });
  const projectId = await createProject(d, 'source');
  const node = await addVpcs(d, projectId, 'local');
  const exported = unzipSync(new Uint8Array(await (await d.api(`/v2/projects/${projectId}/export`)).arrayBuffer()));
  const topology = exported['project.gns3']!;
  const nodeFile = (name: string) => `project-files/vpcs/${node.node_id}/${name}`;
  const zeros = (bytes: number) => new Uint8Array(bytes);

  const projectsBefore = readdirSync(d.projectsDir).sort();
  const listedBefore = (await d.json('/v2/projects')).length;
  const refused = async (what: string, archive: Uint8Array, status: number, message: RegExp, api = 'v2', headers: Record<string, string> = {}) => {
    const id = randomUUID();
    const response = await d.api(`/${api}/projects/${id}/import?name=${what.replaceAll(' ', '-')}`, { method: 'POST', body: archive as Uint8Array<ArrayBuffer>, headers });
    const body = await response.json();
    t.equal(response.status, status, `${what}: ${status}`);
    t.match(body.message, message, `${what}: the message says why`);
    t.same(readdirSync(d.projectsDir).sort(), projectsBefore, `${what}: nothing left in the projects folder`);
    t.equal((await d.json('/v2/projects')).length, listedBefore, `${what}: no project registered`);
  };

  const deflateBomb = zipSync({ 'project.gns3': topology, [nodeFile('disk.img')]: zeros(64 * MiB) }, { level: 9 });
  t.ok(deflateBomb.length < 256 * 1024, `the deflate bomb is small (${deflateBomb.length} bytes for 64 MiB)`);
  await refused('deflate bomb', deflateBomb, 413, new RegExp(`disk\\.img inflates to more than ${MEMBER_LIMIT} bytes`));

  const zstdBomb = await zipArchive({ 'project.gns3': topology, [nodeFile('disk.img')]: zeros(64 * MiB) }, 'zstd', 19);
  t.ok(zstdBomb.length < 64 * 1024, `the Zstandard bomb is small (${zstdBomb.length} bytes for 64 MiB)`);
  await refused('zstd bomb', zstdBomb, 413, new RegExp(`disk\\.img inflates to more than ${MEMBER_LIMIT} bytes`));

  const manyFiles = Object.fromEntries(Array.from({ length: 6 }, (_, i) => [nodeFile(`part${i}.img`), zeros(MEMBER_LIMIT - 1024)]));
  await refused('too much in all', zipSync({ 'project.gns3': topology, ...manyFiles }), 413, new RegExp(`inflate to more than ${TOTAL_LIMIT} bytes in all`));

  const tooMany = Object.fromEntries(Array.from({ length: MEMBER_COUNT_LIMIT + 1 }, (_, i) => [nodeFile(`f${i}.txt`), zeros(1)]));
  await refused('too many members', zipSync({ 'project.gns3': topology, ...tooMany }), 413, new RegExp(`more than ${MEMBER_COUNT_LIMIT} members`));

  await refused('path outside the project', zipSync({ 'project.gns3': topology, '../escape.txt': zeros(10) }), 403, /Forbidden/);
  t.notOk(readdirSync(join(d.projectsDir, '..')).includes('escape.txt'), 'the escaping member was not written');

  const whole = zipSync({ 'project.gns3': topology, [nodeFile('disk.img')]: new Uint8Array(512 * 1024).map((_, i) => i * 7) }, { level: 0 });
  await refused('truncated archive', whole.subarray(0, whole.length >> 1), 409, /invalid zip/);

  const token = await login(d);
  await refused('zstd bomb over /v3', zstdBomb, 413, /inflates to more than/, 'v3', { authorization: `Bearer ${token}` });

  // Just under every limit: imported, the files where they belong (under the node's new id).
  const fits = await zipArchive({ 'project.gns3': topology, [nodeFile('disk.img')]: zeros(MEMBER_LIMIT), [nodeFile('b.img')]: zeros(MiB / 2) }, 'zstd', 3);
  const imported = await d.json(`/v2/projects/${randomUUID()}/import?name=fits`, { method: 'POST', body: fits as Uint8Array<ArrayBuffer>, expect: 201 });
  const copy = await d.json(`/v2/projects/${imported.project_id}/open`, { method: 'POST', expect: 201 });
  const nodes = await d.json(`/v2/projects/${copy.project_id}/nodes`);
  t.equal(nodes.length, 1);
  const disk = join(d.projectsDir, copy.project_id, 'project-files', 'vpcs', nodes[0].node_id, 'disk.img');
  t.equal(readFileSync(disk).length, MEMBER_LIMIT, 'a member of exactly the limit is written whole');
  t.notOk(readdirSync(d.projectsDir).some((name) => name.includes('.import-')), 'no staging folder is left');
});

t.test('an import cut short by a SIGKILLed agent leaves a staging folder that the next agent removes, never a project', async (t) => {
  const root = mkdtempSync(join(tmpdir(), 'patchbay-test-import-crash-'));
  t.teardown(() => rmSync(root, { recursive: true, force: true }));
  const first = await withDaemon(t, { mode: 'controller', root });
  const sourceId = await createProject(first, 'crash-source');
  const archive = new Uint8Array(await (await first.api(`/v2/projects/${sourceId}/export`)).arrayBuffer());
  await first.json(`/v2/projects/${sourceId}`, { method: 'DELETE', expect: 204 });
  const topology = unzipSync(archive)['project.gns3']!;
  // project.gns3 first, then a member the body stops in the middle of: the upload stays open.
  const zip = zipSync({ 'project.gns3': topology, 'project-files/disk.img': new Uint8Array(1024 * 1024).map((_, i) => i * 13) }, { level: 0 });
  const body = new ReadableStream<Uint8Array>({ start: (controller) => controller.enqueue(zip.subarray(0, zip.length >> 1)) });
  const upload = first.api(`/v2/projects/${randomUUID()}/import?name=cut`, { method: 'POST', body, duplex: 'half' } as RequestInit).catch(() => null);
  const staging = () => readdirSync(first.projectsDir).filter((name) => name.includes('.import-'));
  await eventually(() => (staging().some((name) => existsSync(join(first.projectsDir, name, 'project.gns3'))) || undefined), 'the staging folder holds project.gns3', 30_000);
  first.child.kill('SIGKILL');
  await upload;
  await first.stop();
  t.equal(staging().length, 1, 'the killed agent left its staging folder');

  const second = await withDaemon(t, { mode: 'controller', root });
  t.same(staging(), [], 'the next agent removed it');
  t.same(await second.json('/v2/projects'), [], 'and registered no project from it');
});
