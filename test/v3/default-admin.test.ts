/** 3.0's `[Controller] default_admin_username/password`: the super admin a fresh access store is created with. */
import t from 'tap';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { withDaemon, startDaemon } from '../helpers/daemon.ts';
import { login } from './helpers.ts';

t.test('a gns3_server.conf names the first super admin', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'patchbay-v3-admin-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const conf = join(dir, 'gns3_server.conf');
  writeFileSync(conf, '[Controller]\ndefault_admin_username = root\ndefault_admin_password = s3cret-pw\n');
  const d = await withDaemon(t, { mode: 'controller', args: ['--config', conf] });
  const token = await login(d, 'root', 's3cret-pw');
  const me = await d.json('/v3/access/users/me', { headers: { authorization: `Bearer ${token}` }, expect: 200 });
  t.match(me, { username: 'root', is_superadmin: true, full_name: 'Super Administrator' });
  await t.rejects(login(d, 'admin', 'admin'), /401/, 'no admin/admin account');
});

t.test('an invalid name is refused at start, naming the key', async (t) => {
  const d = startDaemon({ mode: 'controller', args: ['--default-admin-username', 'x'] });
  await t.rejects(d, /default_admin_username/);
});
