/** v3 authentication and privileges on a real daemon: tokens, WebSockets, read-only users, ACL and pools, escalation. */
import t from 'tap';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { SignJWT } from 'jose';
import { withDaemon } from '../helpers/daemon.ts';
import { bearer, login, openSocket } from './helpers.ts';

t.test('v3 access control', async (t) => {
  const d = await withDaemon(t, { mode: 'controller' });
  const ws = d.url.replace(/^http/, 'ws');
  const adminToken = await login(d);
  const admin = bearer(d, adminToken);

  t.test('tokens', async (t) => {
    const none = await d.api('/v3/projects');
    t.equal(none.status, 401);
    t.equal(none.headers.get('www-authenticate'), 'Bearer', 'the header gns3-gui re-authenticates on');
    t.same(await none.json(), { message: 'Not authenticated' });
    const form = (body: string) => d.api('/v3/access/users/login', { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body });
    const badPassword = await form('username=admin&password=wrong');
    t.equal(badPassword.status, 401);
    t.same(await badPassword.json(), { message: 'Authentication was unsuccessful.' });
    const jsonToLogin = await d.api('/v3/access/users/login', { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"username":"admin","password":"admin"}' });
    t.equal(jsonToLogin.status, 422, 'the form endpoint refuses JSON');
    const viaJson = await d.api('/v3/access/users/authenticate', { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"username":"admin","password":"admin"}' });
    t.match(await viaJson.json(), { token_type: 'bearer', access_token: /^ey/ });

    const secret = readFileSync(join(dirname(d.projectsDir), 'gns3_jwt_secret_key'), 'utf8');
    const sign = (exp: number) => new SignJWT({ sub: 'admin' }).setProtectedHeader({ alg: 'HS256', typ: 'JWT' }).setExpirationTime(exp).sign(new TextEncoder().encode(secret));
    const now = Math.floor(Date.now() / 1000);
    t.equal((await bearer(d, await sign(now + 60))('GET', '/v3/access/users/me')).username, 'admin', 'a token signed with the install secret works');
    const expired = await d.api('/v3/projects', { headers: { authorization: `Bearer ${await sign(now - 60)}` } });
    t.equal(expired.status, 401, 'expired');
    t.same(await expired.json(), { message: 'Could not validate credentials' });
    const [h, p, sig] = adminToken.split('.');
    const tampered = `${h}.${Buffer.from(JSON.stringify({ sub: 'someone', exp: now + 60 })).toString('base64url')}.${sig}`;
    t.equal((await d.api('/v3/projects', { headers: { authorization: `Bearer ${tampered}` } })).status, 401, 'tampered');
    t.equal((await d.api('/v3/projects', { headers: { authorization: `Bearer ${'x'.repeat(5000)}` } })).status, 401, 'oversized');
    t.equal((await d.api(`/v3/projects?token=${adminToken}`)).status, 200, '?token= on HTTP');
    void p;

    t.equal((await openSocket(`${ws}/v3/notifications/ws`, () => true)).status, 403, 'WebSocket without a token: 403');
    const refused = await openSocket(`${ws}/v3/notifications/ws?token=${tampered}`, () => false);
    t.equal(refused.closeCode, 1008);
    t.match(JSON.parse(String(refused.frames[0])), { action: 'log.error', event: { message: /Could not authenticate/ } });
    const accepted = await openSocket(`${ws}/v3/notifications/ws?token=${adminToken}`, (f) => f.length > 0);
    t.equal(JSON.parse(String(accepted.frames[0])).action, 'ping');
    accepted.socket?.close();
  });

  // Users: a read-only auditor, a project user, and an ACL manager (who must not escalate).
  const roles = await admin('GET', '/v3/access/roles', undefined, 200);
  const roleId = (name: string) => roles.find((r: any) => r.name === name).role_id;
  const mkUser = async (username: string) => (await admin('POST', '/v3/access/users', { username, password: 'password1', extra: 'dropped' }, 201)).user_id;
  const [auditorId, aliceId, managerId] = [await mkUser('auditor'), await mkUser('alice'), await mkUser('manager')];
  const grant = (user_id: string, path: string, role: string, extra: Record<string, unknown> = {}) =>
    admin('POST', '/v3/access/acl', { ace_type: 'user', user_id, path, role_id: roleId(role), ...extra }, 201);
  await grant(auditorId, '/', 'Auditor');
  const auditor = bearer(d, await login(d, 'auditor', 'password1'));
  const alice = bearer(d, await login(d, 'alice', 'password1'));

  t.test('a read-only user reads but cannot write', async (t) => {
    const project = await admin('POST', '/v3/projects', { name: 'ro' }, 201);
    t.same((await auditor('GET', '/v3/projects', undefined, 200)).map((p: any) => p.name), ['ro']);
    t.equal((await auditor('GET', `/v3/projects/${project.project_id}`, undefined, 200)).name, 'ro');
    t.equal((await auditor('GET', `/v3/projects/${project.project_id}/nodes`, undefined, 200)).length, 0);
    t.same(await auditor('POST', '/v3/projects', { name: 'nope' }, 403), { message: 'Permission denied (privilege Project.Allocate is required)' });
    await auditor('PUT', `/v3/projects/${project.project_id}`, { name: 'renamed' }, 403);
    await auditor('DELETE', `/v3/projects/${project.project_id}`, undefined, 403);
    await auditor('POST', `/v3/projects/${project.project_id}/nodes/start`, undefined, 403);
    await auditor('GET', '/v3/access/users', undefined, 403);
    t.equal((await auditor('GET', '/v3/access/users/me', undefined, 200)).username, 'auditor');
    await admin('DELETE', `/v3/projects/${project.project_id}`, undefined, 204);
  });

  t.test('ACL on projects and resource pools decide access (GNS3 3.0 rules)', async (t) => {
    const mk = async (name: string) => (await admin('POST', '/v3/projects', { name }, 201)).project_id;
    const [open, granted, pooled, denied] = [await mk('open'), await mk('granted'), await mk('pooled'), await mk('denied')];
    const pool = (await admin('POST', '/v3/pools', { name: 'lab' }, 201)).resource_pool_id;
    await admin('PUT', `/v3/pools/${pool}/resources/${pooled}`, undefined, 204);
    t.match(await admin('PUT', `/v3/pools/${pool}/resources/${pooled}`, undefined, 400), { message: `Resource '${pooled}' is already in 'lab'` });
    await grant(aliceId, `/projects/${granted}`, 'User');
    await grant(aliceId, `/projects/${pooled}`, 'User'); // ignored: the project is in a pool
    await grant(aliceId, `/projects/${denied}`, 'User');
    await grant(aliceId, `/projects/${denied}/nodes`, 'User', { allowed: false });
    type Row = [string, string, string, unknown, number];
    const rows: Row[] = [
      ['no ACE: no access', 'GET', `/v3/projects/${open}`, undefined, 403],
      ['ACE on the project', 'GET', `/v3/projects/${granted}`, undefined, 200],
      ['propagates to its nodes', 'GET', `/v3/projects/${granted}/nodes`, undefined, 200],
      ['User role may write', 'PUT', `/v3/projects/${granted}`, { name: 'granted2' }, 200],
      ['but not create projects at /projects', 'POST', '/v3/projects', { name: 'x' }, 403],
      ['pooled project: ACE on the project ignored', 'GET', `/v3/projects/${pooled}`, undefined, 403],
      ['deny below a grant', 'GET', `/v3/projects/${denied}/nodes`, undefined, 403],
      ['deny does not reach the parent', 'GET', `/v3/projects/${denied}`, undefined, 200],
    ];
    for (const [name, method, path, body, status] of rows) {
      const response = await d.api(path, { method, headers: { authorization: `Bearer ${await login(d, 'alice', 'password1')}`, 'content-type': 'application/json' }, body: body === undefined ? undefined : JSON.stringify(body) });
      t.equal(response.status, status, name);
    }
    await grant(aliceId, `/pools/${pool}`, 'Auditor');
    t.equal((await alice('GET', `/v3/projects/${pooled}`, undefined, 200)).name, 'pooled', 'pooled project reached through its pool');
    await alice('PUT', `/v3/projects/${pooled}`, { name: 'p2' }, 403);
    t.same((await alice('GET', '/v3/projects', undefined, 200)).map((p: any) => p.name).sort(), ['denied', 'granted2', 'pooled'], 'the list is filtered');
  });

  t.test('no privilege escalation', async (t) => {
    await grant(managerId, '/', 'ACL manager');
    const manager = bearer(d, await login(d, 'manager', 'password1'));
    await manager('GET', '/v3/access/acl', undefined, 200);
    const escalate = { ace_type: 'user', user_id: managerId, path: '/', role_id: roleId('Administrator') };
    t.match(await manager('POST', '/v3/access/acl', escalate, 403), { message: /cannot be granted/ });
    const custom = await admin('POST', '/v3/access/roles', { name: 'custom' }, 201);
    const privilege = (await admin('GET', '/v3/access/privileges', undefined, 200)).find((x: any) => x.name === 'User.Allocate');
    await manager('PUT', `/v3/access/roles/${custom.role_id}/privileges/${privilege.privilege_id}`, undefined, 403);
    await manager('PUT', `/v3/access/roles/${roleId('ACL manager')}/privileges/${privilege.privilege_id}`, undefined, 403);
    const adminUser = (await admin('GET', '/v3/access/users/me', undefined, 200)).user_id;
    await alice('PUT', `/v3/access/users/${adminUser}`, { password: 'hijacked1' }, 403);
    t.match(await admin('DELETE', `/v3/access/users/${adminUser}`, undefined, 403), { message: 'The super admin cannot be deleted' });
    t.match(await alice('PUT', '/v3/access/users/me', { username: 'root', is_active: true, password: 'password2' }, 200), { username: 'alice' }, 'only password/email/full name change on me');
  });

  t.test('bad input: 422 naming the field, never a 500', async (t) => {
    t.match(await admin('POST', '/v3/access/users', { username: 'x', password: 'short' }, 422), { message: /'loc': \('body', 'username'\)/ });
    await admin('GET', '/v3/projects/not-a-uuid', undefined, 422);
    await admin('POST', '/v3/access/acl', { ace_type: 'user', path: '/nowhere', role_id: roleId('User'), user_id: aliceId }, 400);
    t.same(await admin('GET', '/v3/no/such/route', undefined, 404), { detail: 'Not Found' });
    const garbage = await d.api('/v3/projects', { method: 'POST', headers: { authorization: `Bearer ${adminToken}`, 'content-type': 'application/json' }, body: '{"name":' });
    t.equal(garbage.status, 422);
  });

  t.test('login brute force is bounded', async (t) => {
    await mkUser('victim');
    const attempt = (password: string) =>
      d.api('/v3/access/users/authenticate', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username: 'victim', password }) });
    const statuses: number[] = [];
    for (let i = 0; i < 6; i++) statuses.push((await attempt(`guess${i}`)).status);
    t.same(statuses.slice(0, 4), [401, 401, 401, 401], 'the first failures are answered normally');
    t.ok(statuses.includes(429), `refused after at most 5 failures per name or address: ${statuses}`);
    const locked = await attempt('password1');
    t.equal(locked.status, 429, 'even the right password waits: no oracle while locked');
    t.match(locked.headers.get('retry-after'), /^\d+$/);
  });
});
