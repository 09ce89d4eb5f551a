/**
 * Files of a controller project folder (`/v2/projects/{id}/files/{path}`), their errors as GNS3 2.2 answers them
 * (checked live on 2.2.41: 404 missing folder, 403 escape or permission, 409 any other OS error), atomic writes and
 * symlinks that lead outside the project.
 */
import t from 'tap';
import { chmodSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { post, withDaemon } from '../helpers/daemon.ts';

// Root bypasses file permissions: the daemon runs without the capabilities that let it, so a read-only folder refuses
// it as it refuses an unprivileged service user.
const prefix = process.getuid?.() === 0 ? ['setpriv', '--bounding-set', '-dac_override,-dac_read_search,-fowner', '--'] : [];
const daemon = await withDaemon(t, { mode: 'controller', prefix });
const project = await daemon.json('/v2/projects', { ...post({ name: 'files' }), expect: 201 });
const files = `/v2/projects/${project.project_id}/files`;
const write = (path: string, body: string) => daemon.api(`${files}/${path}`, { method: 'POST', body });
const answer = async (response: Response) => ({ status: response.status, ...(await response.json()) });

t.test('a write lands whole, through a temporary file that does not stay behind', async (t) => {
  t.equal((await write('README.txt', 'hello')).status, 201);
  t.equal((await write('README.txt', 'again')).status, 201, 'replaces an existing file');
  t.equal(readFileSync(join(project.path, 'README.txt'), 'utf8'), 'again');
  t.same(readdirSync(project.path).filter((name) => name.endsWith('.tmp')), [], 'no temporary file left');
  const read = await daemon.api(`${files}/README.txt`);
  t.equal(await read.text(), 'again');
});

t.test('errors: missing folder 404, escape 403, read-only folder 403, a folder in the way 409', async (t) => {
  t.match(await answer(await write('no/such/dir/file.txt', 'x')), { status: 404, message: '404: Not Found' });
  t.match(await answer(await write('..%2Fescape.txt', 'x')), { status: 403, message: '403: Forbidden' });

  const locked = join(project.path, 'locked');
  mkdirSync(locked);
  chmodSync(locked, 0o555);
  t.teardown(() => chmodSync(locked, 0o755));
  t.match(await answer(await write('locked/file.txt', 'x')), { status: 403, message: '403: Forbidden' }, 'permission denied');

  mkdirSync(join(project.path, 'taken'));
  const conflict = await answer(await write('taken', 'x'));
  t.equal(conflict.status, 409, 'a folder where the file should go');
  t.match(conflict.message, /^Cannot write file /);
});

t.test('a symlink inside the project cannot lead a read or a write outside it', async (t) => {
  const outside = mkdtempSync(join(tmpdir(), 'patchbay-outside-'));
  t.teardown(() => rmSync(outside, { recursive: true, force: true }));
  symlinkSync(outside, join(project.path, 'away'));
  symlinkSync('/etc/hostname', join(project.path, 'hostname'));
  t.equal((await write('away/planted.txt', 'x')).status, 403, 'write through a symlinked folder refused');
  t.same(readdirSync(outside), [], 'nothing written outside');
  t.equal((await daemon.api(`${files}/hostname`)).status, 403, 'read through a symlink to a file outside refused');
});
