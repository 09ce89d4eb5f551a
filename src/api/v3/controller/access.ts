/** `/v3/access/...`: login, the current user, users, groups, roles, privileges and ACL entries. */
import { Hono, type Context } from 'hono';
import type { Access } from '../../../access/index.ts';
import type { Group, Role, StoredAce, User } from '../../../access/store.ts';
import { clientAddress } from '../../../runtime/client-address.ts';
import { fail } from '../../../errors/index.ts';
import { allowed, guard, type V3Env } from '../auth.ts';
import { v3ErrorHandler, unprocessable } from '../errors.ts';
import { AceBody, Credentials, GroupBody, GroupUpdate, RoleBody, RoleUpdate, UserCreate, UserSelfUpdate, UserUpdate } from '../schemas.ts';
import { uuidParam, v3Body } from '../validate.ts';
import { aclEndpoints, matchesEndpoint } from './acl-endpoints.ts';
import { namedCollectionRoutes } from './named-collection.ts';
import type { Controller } from '../../../controller/controller.ts';

export const userJson = (u: User) => ({
  username: u.username, is_active: u.is_active, email: u.email, full_name: u.full_name, created_at: u.created_at, updated_at: u.updated_at,
  user_id: u.user_id, last_login: u.last_login, is_superadmin: u.is_superadmin,
});
const groupJson = (g: Group) => ({ name: g.name, created_at: g.created_at, updated_at: g.updated_at, user_group_id: g.user_group_id, is_builtin: g.is_builtin });
const aceJson = (a: StoredAce) => ({
  ace_type: a.ace_type, path: a.path, propagate: a.propagate, allowed: a.allowed, user_id: a.user_id, group_id: a.group_id, role_id: a.role_id,
  ace_id: a.ace_id, created_at: a.created_at, updated_at: a.updated_at,
});

/** The two token endpoints (no authentication), throttled against password guessing. */
export function loginRoutes(access: Access): Hono<V3Env> {
  const { store } = access;
  const app = new Hono<V3Env>();
  app.onError(v3ErrorHandler);

  /** Both token endpoints: throttled, then one answer for unknown user and wrong password. */
  const login = async (c: Context, username: string, password: string) => {
    const address = clientAddress(c);
    const wait = access.throttle.retryAfter(username, address, Date.now());
    if (wait > 0) {
      c.header('Retry-After', String(Math.ceil(wait / 1000)));
      return c.json({ message: `Too many failed login attempts, retry in ${Math.ceil(wait / 1000)} s` }, 429);
    }
    const user = await store.authenticate(username, password);
    if (!user) {
      access.throttle.failed(username, address, Date.now());
      c.header('WWW-Authenticate', 'Bearer');
      return c.json({ message: 'Authentication was unsuccessful.' }, 401);
    }
    access.throttle.succeeded(username);
    return c.json({ access_token: await access.tokens.issue(user.username), token_type: 'bearer' });
  };
  app.post('/access/users/login', async (c) => {
    const type = c.req.header('content-type') ?? '';
    const form = type.startsWith('application/x-www-form-urlencoded') || type.startsWith('multipart/form-data')
      ? await c.req.parseBody().catch(() => ({}) as Record<string, unknown>)
      : {};
    const missing = ['username', 'password'].filter((k) => typeof (form as Record<string, unknown>)[k] !== 'string');
    if (missing.length > 0) {
      throw unprocessable(`${missing.length} validation error${missing.length > 1 ? 's' : ''}:\n${missing.map((k) => `  {'type': 'missing', 'loc': ('body', '${k}'), 'msg': 'Field required'}`).join('\n')}`);
    }
    const { username, password } = form as Record<string, string>;
    if (username.length > 100 || password.length > 100) return c.json({ message: 'Authentication was unsuccessful.' }, 401, { 'WWW-Authenticate': 'Bearer' });
    return login(c, username, password);
  });
  app.post('/access/users/authenticate', async (c) => {
    const { username, password } = await v3Body(c, Credentials);
    return login(c, username, password);
  });

  return app;
}

/** Everything below `/access` but the token endpoints (behind the bearer middleware). */
export function accessRoutes(access: Access, controller: Controller): Hono<V3Env> {
  const { store } = access;
  const app = new Hono<V3Env>();
  app.onError(v3ErrorHandler);
  const roleJson = (r: Role) => ({
    name: r.name, description: r.description, created_at: r.created_at, updated_at: r.updated_at, role_id: r.role_id, is_builtin: r.is_builtin,
    privileges: r.privileges.map((id) => store.privilege(id)),
  });
  const can = (privilege: string) => guard(access, privilege);

  // ---- current user ----
  app.get('/access/users/me', (c) => c.json(userJson(c.get('user'))));
  app.put('/access/users/me', async (c) => c.json(userJson(await store.updateUser(c.get('user'), await v3Body(c, UserSelfUpdate)))));

  // ---- users ----
  app.get('/access/users', can('User.Audit'), (c) => c.json(store.users.map(userJson)));
  app.post('/access/users', can('User.Allocate'), async (c) => c.json(userJson(await store.createUser(await v3Body(c, UserCreate))), 201));
  app.get('/access/users/:user_id', can('User.Audit'), (c) => c.json(userJson(store.user(uuidParam(c, 'user_id')))));
  app.put('/access/users/:user_id', can('User.Modify'), async (c) => {
    const user = store.user(uuidParam(c, 'user_id'));
    const input = await v3Body(c, UserUpdate);
    // Only a super admin touches the super admin (anyone else could take over the install through its password).
    if (user.is_superadmin && !c.get('user').is_superadmin) throw fail('SUPERADMIN_ONLY');
    return c.json(userJson(await store.updateUser(user, input)));
  });
  app.delete('/access/users/:user_id', can('User.Allocate'), async (c) => {
    await store.deleteUser(store.user(uuidParam(c, 'user_id')));
    return c.body(null, 204);
  });
  app.get('/access/users/:user_id/groups', can('Group.Audit'), (c) => c.json(store.groupsOf(store.user(uuidParam(c, 'user_id'))).map(groupJson)));

  // ---- groups ----
  namedCollectionRoutes(app, access, { path: '/access/groups', param: 'group_id', object: 'Group', body: GroupBody, update: GroupUpdate, json: groupJson }, {
    list: () => store.groups, find: (id) => store.group(id), create: (name) => store.createGroup(name),
    rename: (group, name) => store.renameGroup(group, name), remove: (group) => store.deleteGroup(group),
  });
  app.get('/access/groups/:group_id/members', can('Group.Audit'), (c) => {
    const group = store.group(uuidParam(c, 'group_id'));
    return c.json(store.users.filter((u) => group.members.includes(u.user_id)).map(userJson));
  });
  for (const [method, member] of [['put', true], ['delete', false]] as const) {
    app[method]('/access/groups/:group_id/members/:user_id', can('Group.Modify'), async (c) => {
      const group = store.group(uuidParam(c, 'group_id'));
      await store.setMember(group, store.user(uuidParam(c, 'user_id')), member);
      return c.body(null, 204);
    });
  }

  // ---- roles and privileges ----
  app.get('/access/roles', can('Role.Audit'), (c) => c.json(store.roles.map(roleJson)));
  app.post('/access/roles', can('Role.Allocate'), async (c) => c.json(roleJson(await store.createRole(await v3Body(c, RoleBody))), 201));
  app.get('/access/roles/:role_id', can('Role.Audit'), (c) => c.json(roleJson(store.role(uuidParam(c, 'role_id')))));
  app.put('/access/roles/:role_id', can('Role.Modify'), async (c) => {
    const role = store.role(uuidParam(c, 'role_id'));
    return c.json(roleJson(await store.updateRole(role, await v3Body(c, RoleUpdate))));
  });
  app.delete('/access/roles/:role_id', can('Role.Allocate'), async (c) => {
    await store.deleteRole(store.role(uuidParam(c, 'role_id')));
    return c.body(null, 204);
  });
  app.get('/access/roles/:role_id/privileges', can('Role.Audit'), (c) => c.json(roleJson(store.role(uuidParam(c, 'role_id'))).privileges));
  for (const [method, granted] of [['put', true], ['delete', false]] as const) {
    app[method]('/access/roles/:role_id/privileges/:privilege_id', can('Role.Modify'), async (c) => {
      const role = store.role(uuidParam(c, 'role_id'));
      const privilege = store.privilege(uuidParam(c, 'privilege_id'));
      // No escalation through a role one already holds: adding a privilege needs it on every path (`/`).
      if (granted && !allowed(access, c.get('user'), privilege.name, '/')) {
        throw fail('PRIVILEGE_NOT_HELD', privilege.name, '/');
      }
      await store.setRolePrivilege(role, privilege, granted);
      return c.body(null, 204);
    });
  }
  app.get('/access/privileges', (c) => c.json(store.privileges));

  // ---- ACL ----
  app.get('/access/acl/endpoints', can('ACE.Audit'), (c) => c.json(aclEndpoints(controller, store), 201));
  app.get('/access/acl', can('ACE.Audit'), (c) => c.json(store.aces.map(aceJson)));
  const aceInput = async (c: Context<V3Env>) => {
    const input = await v3Body(c, AceBody);
    if (!matchesEndpoint(input.path)) throw fail('ACE_PATH_UNKNOWN', input.path);
    // No escalation: an ACL manager grants only privileges it holds itself on that path (3.0 does not check this).
    const missing = [...store.privilegesOf(input.role_id)].find((p) => !allowed(access, c.get('user'), p, input.path));
    if (missing) throw fail('PRIVILEGE_NOT_HELD', missing, input.path);
    return input;
  };
  app.post('/access/acl', can('ACE.Allocate'), async (c) => c.json(aceJson(await store.createAce(await aceInput(c))), 201));
  app.get('/access/acl/:ace_id', can('ACE.Audit'), (c) => c.json(aceJson(store.ace(uuidParam(c, 'ace_id')))));
  app.put('/access/acl/:ace_id', can('ACE.Modify'), async (c) => {
    const ace = store.ace(uuidParam(c, 'ace_id'));
    return c.json(aceJson(await store.updateAce(ace, await aceInput(c))));
  });
  app.delete('/access/acl/:ace_id', can('ACE.Allocate'), async (c) => {
    await store.deleteAce(store.ace(uuidParam(c, 'ace_id')));
    return c.body(null, 204);
  });
  return app;
}
