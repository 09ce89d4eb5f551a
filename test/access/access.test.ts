import t from 'tap';
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SignJWT } from 'jose';
import { LoginThrottle } from '../../src/access/login-throttle.ts';
import { hashPassword, verifyPassword } from '../../src/access/passwords.ts';
import { BUILTIN_ROLES, PRIVILEGE_NAMES } from '../../src/access/privileges.ts';
import { ancestors, hasPrivilege, type Ace, type RbacView } from '../../src/access/rbac.ts';
import { AccessStore } from '../../src/access/store.ts';
import { TokenIssuer, loadSecret } from '../../src/access/tokens.ts';
import { fail } from '../../src/errors/index.ts';

const dir = mkdtempSync(join(tmpdir(), 'patchbay-access-'));
t.teardown(() => rmSync(dir, { recursive: true, force: true }));

t.test('privilege catalogue and built-in roles match a fresh 3.0.6', async (t) => {
  t.equal(PRIVILEGE_NAMES.length, 45);
  t.equal(new Set(PRIVILEGE_NAMES).size, 45);
  const role = (name: string) => new Set(BUILTIN_ROLES.find((r) => r.name === name)!.privileges);
  t.equal(role('Administrator').size, 45);
  t.equal(role('Auditor').size, 10);
  t.ok([...role('Auditor')].every((p) => p.endsWith('.Audit')));
  t.ok(role('User').has('Node.PowerMgmt') && role('User').has('Appliance.Allocate') && !role('User').has('Template.Allocate'));
  t.same([...role('ACL manager')].sort(), ['ACE.Allocate', 'ACE.Audit', 'ACE.Modify', 'Role.Allocate', 'Role.Audit', 'Role.Modify']);
  t.equal(role('No Access').size, 0);
  t.same(BUILTIN_ROLES.map((r) => r.name), ['Administrator', 'User', 'Auditor', 'Template manager', 'User manager', 'ACL manager', 'No Access']);
});

t.test('passwords: scrypt hash round trip, wrong and malformed never match', async (t) => {
  const hash = await hashPassword('correct horse');
  t.match(hash, /^scrypt\$32768\$8\$3\$/);
  t.ok(await verifyPassword('correct horse', hash));
  t.notOk(await verifyPassword('correct horsE', hash));
  t.not(await hashPassword('correct horse'), hash, 'salted');
  t.notOk(await verifyPassword('x', 'garbage'));
  t.notOk(await verifyPassword('x', 'scrypt$999999999$8$1$AAAA$AAAA'), 'absurd parameters are refused, not run');
});

t.test('tokens: issued, verified, and refused when expired, tampered, foreign or oversized', async (t) => {
  const secretFile = join(dir, 'gns3_jwt_secret_key');
  const secret = await loadSecret(secretFile);
  t.match(readFileSync(secretFile, 'utf8'), /^[0-9a-f]{64}$/);
  t.equal(statSync(secretFile).mode & 0o777, 0o600);
  t.same(await loadSecret(secretFile), secret, 'the secret is kept across starts');
  const issuer = new TokenIssuer(secret, 60);
  const now = Date.now();
  const token = await issuer.issue('alice', now);
  const [header, payload] = token.split('.').slice(0, 2).map((part) => JSON.parse(Buffer.from(part, 'base64url').toString()));
  t.same(header, { alg: 'HS256', typ: 'JWT' });
  t.same(Object.keys(payload).sort(), ['exp', 'sub']);
  t.equal(await issuer.verify(token, now), 'alice');
  t.equal(await issuer.verify(token, now + 61_000), undefined, 'expired');
  const parts = token.split('.');
  const forged = Buffer.from(JSON.stringify({ ...payload, sub: 'admin' })).toString('base64url');
  t.equal(await issuer.verify(`${parts[0]}.${forged}.${parts[2]}`, now), undefined, 'payload changed');
  t.equal(await issuer.verify(`${parts[0]}.${parts[1]}.${parts[2].slice(0, -2)}AA`, now), undefined, 'signature changed');
  const other = await new SignJWT({ sub: 'alice' }).setProtectedHeader({ alg: 'HS256' }).setExpirationTime('1h').sign(new TextEncoder().encode('x'.repeat(64)));
  t.equal(await issuer.verify(other, now), undefined, 'signed with another secret');
  const none = `${Buffer.from('{"alg":"none"}').toString('base64url')}.${parts[1]}.`;
  t.equal(await issuer.verify(none, now), undefined, 'alg none');
  t.equal(await issuer.verify('a'.repeat(5000), now), undefined, 'oversized');
  t.equal(await issuer.verify('not a token', now), undefined, 'malformed');
});

t.test('login throttle: 5 free failures, then a doubling delay; success clears the name', async (t) => {
  const throttle = new LoginThrottle();
  const rows: Array<[number, number]> = [[4, 0], [5, 1000], [6, 2000], [10, 32_000], [30, 300_000]];
  for (const [failures, delay] of rows) t.equal(LoginThrottle.delayAfter(failures), delay, `${failures} failures`);
  let now = 1_000_000;
  for (let i = 0; i < 5; i++) throttle.failed('admin', '10.0.0.1', now);
  t.equal(throttle.retryAfter('admin', '10.0.0.2', now), 1000, 'per user name, from any address');
  t.equal(throttle.retryAfter('bob', '10.0.0.1', now), 1000, 'per address, for any name');
  t.equal(throttle.retryAfter('bob', '10.0.0.2', now), 0);
  now += 1000;
  t.equal(throttle.retryAfter('admin', '10.0.0.1', now), 0);
  throttle.succeeded('admin');
  t.equal(throttle.retryAfter('admin', '10.0.0.3', now), 0);
  t.equal(throttle.retryAfter('x', '10.0.0.1', now + 16 * 60_000), 0, 'forgotten after 15 min');
});

t.test('RBAC decisions (GNS3 3.0 rules, table-driven)', async (t) => {
  const roles: Record<string, Set<string>> = {
    user: new Set(BUILTIN_ROLES.find((r) => r.name === 'User')!.privileges),
    auditor: new Set(BUILTIN_ROLES.find((r) => r.name === 'Auditor')!.privileges),
    none: new Set(),
  };
  const P1 = 'p1';
  const POOLED = 'p2';
  const ace = (a: Partial<Ace> & Pick<Ace, 'path' | 'role_id'>): Ace => ({
    ace_id: a.path, ace_type: 'user', propagate: true, allowed: true, user_id: 'u', group_id: null, ...a,
  });
  const view = (aces: Ace[]): RbacView => ({ aces, privilegesOf: (id) => roles[id] ?? new Set(), poolsOf: (p) => (p === POOLED ? ['pool1'] : []) });
  const alice = { user_id: 'u', is_superadmin: false, groupIds: ['g'] };
  type Row = [string, Ace[], string, string, boolean];
  const rows: Row[] = [
    ['empty ACL denies', [], 'Project.Audit', `/projects/${P1}`, false],
    ['propagating ACE on / grants below', [ace({ path: '/', role_id: 'user' })], 'Node.PowerMgmt', `/projects/${P1}/nodes/n/start`, true],
    ['role without the privilege does not grant', [ace({ path: '/', role_id: 'auditor' })], 'Project.Allocate', '/projects', false],
    ['auditor reads', [ace({ path: '/', role_id: 'auditor' })], 'Project.Audit', `/projects/${P1}`, true],
    ['non-propagating ACE grants only its exact path', [ace({ path: '/projects', role_id: 'user', propagate: false })], 'Project.Allocate', '/projects', true],
    ['non-propagating ACE does not reach children', [ace({ path: '/projects', role_id: 'user', propagate: false })], 'Project.Audit', `/projects/${P1}`, false],
    ['deeper deny wins over a grant above', [ace({ path: '/', role_id: 'user' }), ace({ path: `/projects/${P1}`, role_id: 'user', allowed: false })], 'Project.Audit', `/projects/${P1}/nodes`, false],
    ['deny elsewhere does not matter', [ace({ path: '/', role_id: 'user' }), ace({ path: '/projects/other', role_id: 'user', allowed: false })], 'Project.Audit', `/projects/${P1}`, true],
    ['deny ACE whose role lacks the privilege is skipped', [ace({ path: '/', role_id: 'user' }), ace({ path: `/projects/${P1}`, role_id: 'none', allowed: false })], 'Project.Audit', `/projects/${P1}`, true],
    ['ACE of another user does not apply', [ace({ path: '/', role_id: 'user', user_id: 'v' })], 'Project.Audit', `/projects/${P1}`, false],
    ['group ACE applies to members', [ace({ path: '/', role_id: 'user', ace_type: 'group', user_id: null, group_id: 'g' })], 'Project.Audit', `/projects/${P1}`, true],
    ['user ACE decides before group ACE', [ace({ path: `/projects/${P1}`, role_id: 'user', allowed: false }), ace({ path: '/', role_id: 'user', ace_type: 'group', user_id: null, group_id: 'g' })], 'Project.Audit', `/projects/${P1}`, false],
    ['pooled project ignores an ACE on the project', [ace({ path: `/projects/${POOLED}`, role_id: 'user' })], 'Project.Audit', `/projects/${POOLED}`, false],
    ['pooled project ignores an ACE on /projects', [ace({ path: '/projects', role_id: 'user' })], 'Project.Audit', `/projects/${POOLED}/nodes`, false],
    ['pooled project is reached through its pool', [ace({ path: '/pools/pool1', role_id: 'user' })], 'Node.Audit', `/projects/${POOLED}/nodes`, true],
    ['pool ACE does not reach other projects', [ace({ path: '/pools/pool1', role_id: 'user' })], 'Project.Audit', `/projects/${P1}`, false],
  ];
  for (const [name, aces, privilege, path, expected] of rows) t.equal(hasPrivilege(alice, privilege, path, view(aces)), expected, name);
  t.ok(hasPrivilege({ ...alice, is_superadmin: true }, 'User.Allocate', '/access/users', view([])), 'super admin bypasses');
  t.same(ancestors('/a/b'), ['/a/b', '/a', '/']);
});

t.test('store: 3.0.6 defaults, atomic persistence, protections', async (t) => {
  const file = join(dir, 'access.json');
  const store = await AccessStore.open(file, { adminUsername: 'admin', adminPassword: 'admin' });
  t.same(store.users.map((u) => [u.username, u.is_superadmin, u.full_name]), [['admin', true, 'Super Administrator']]);
  t.same(store.groups.map((g) => [g.name, g.is_builtin, g.members.length]), [['Administrators', true, 0], ['Users', true, 0]]);
  t.equal(store.roles.length, 7);
  t.equal(store.privileges.length, 45);
  t.same(store.aces, []);
  t.equal(statSync(file).mode & 0o777, 0o600);
  t.ok(await store.authenticate('admin', 'admin'));
  t.notOk(await store.authenticate('admin', 'nope'));
  t.notOk(await store.authenticate('nobody', 'admin'));
  const bob = await store.createUser({ username: 'bob', password: 'password1' });
  await t.rejects(store.createUser({ username: 'bob', password: 'password2' }), fail('USERNAME_TAKEN', 'bob'));
  await t.rejects(store.deleteUser(store.userByName('admin')!), fail('SUPERADMIN_DELETE'));
  await t.rejects(store.deleteGroup(store.groups[0]), fail('GROUP_BUILTIN', store.groups[0].user_group_id, 'deleted'));
  await t.rejects(store.deleteRole(store.roles[0]), fail('ROLE_BUILTIN', store.roles[0].role_id, 'deleted'));
  await t.rejects(store.setRolePrivilege(store.roles[6], store.privileges[0], true), fail('ROLE_BUILTIN', store.roles[6].role_id, 'updated'), 'built-in roles cannot gain privileges');
  await store.setMember(store.groups[1], bob, true);
  t.same(store.subject(bob).groupIds, [store.groups[1].user_group_id]);
  const pool = await store.createPool('lab');
  await store.addToPool(pool, 'p1');
  await t.rejects(store.addToPool(pool, 'p1'), fail('POOL_HAS_RESOURCE', 'p1', 'lab'));
  await store.save();
  const again = await AccessStore.open(file, { adminUsername: 'other', adminPassword: 'other' });
  t.same(again.users.map((u) => u.username), ['admin', 'bob'], 'defaults apply only to a fresh store');
  t.same(again.poolsOf('p1'), [pool.resource_pool_id]);
  t.ok(await again.authenticate('bob', 'password1'));
});
