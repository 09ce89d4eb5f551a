/**
 * v3 controller authentication and privileges: a JWT from `Authorization: Bearer` or `?token=` (header wins), then
 * per-route privilege checks against the ACL (`guard('Node.PowerMgmt')`), on the request path without `/v3`.
 */
import type { Context, MiddlewareHandler } from 'hono';
import { hasPrivilege } from '../../access/rbac.ts';
import type { Access } from '../../access/index.ts';
import type { User } from '../../access/store.ts';
import { fail } from '../../errors/index.ts';

export type AccessContext = Pick<Access, 'store' | 'tokens'>;
export type V3Env = { Variables: { user: User } };

function unauthorized(c: Context, message: string): Response {
  c.header('WWW-Authenticate', 'Bearer');
  return c.json({ message }, 401);
}

/** The token a request carries, if any. */
export function tokenOf(c: Context): string | undefined {
  const header = c.req.header('authorization');
  if (header?.toLowerCase().startsWith('bearer ')) return header.slice(7).trim();
  return c.req.query('token') || undefined;
}

/** The active user a token belongs to, or a reason it does not authenticate. */
export async function userOfToken(access: AccessContext, token: string): Promise<User | string> {
  const username = await access.tokens.verify(token);
  const user = username === undefined ? undefined : access.store.userByName(username);
  if (!user) return 'Could not validate credentials';
  if (!user.is_active && !user.is_superadmin) return 'Not an active user';
  return user;
}

/** Sets `user` for the routes below, or answers 401 the way gns3-gui expects (`WWW-Authenticate: Bearer`). */
export function authenticate(access: AccessContext): MiddlewareHandler<V3Env> {
  return async function authenticate(c, next) {
    const token = tokenOf(c);
    if (!token) return unauthorized(c, 'Not authenticated');
    const user = await userOfToken(access, token);
    if (typeof user === 'string') return unauthorized(c, user);
    c.set('user', user);
    await next();
  };
}

/** `/v3/projects/x/nodes` → `/projects/x/nodes` (the ACL's resource path). */
export const resourcePath = (c: Context) => c.req.path.replace(/^\/v3(?=\/|$)/, '') || '/';

export function allowed(access: AccessContext, user: User, privilege: string, path: string): boolean {
  return hasPrivilege(access.store.subject(user), privilege, path, access.store);
}

/** Route middleware: 403 unless the user holds `privilege` on this request's path. */
export function guard(access: AccessContext, privilege: string): MiddlewareHandler<V3Env> {
  return async function guard(c, next) {
    if (!allowed(access, c.get('user'), privilege, resourcePath(c))) {
      throw fail('PERMISSION_DENIED', privilege);
    }
    await next();
  };
}
