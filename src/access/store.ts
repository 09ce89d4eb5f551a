/**
 * Users, groups, roles, privileges, ACL and resource pools of the v3 API, kept in one JSON file written atomically.
 *
 * Why a JSON file and not SQLite: the data is small (tens of rows) and only this process writes it; a JSON file
 * written through temp-file + fsync + rename is crash-safe, needs no native module (node:sqlite is still
 * experimental on Node 20 and absent from Deno's node compatibility), and runs the same on Node and Deno.
 */
import { randomUUID } from 'node:crypto';
import { mkdir, readFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { fail } from '../errors/index.ts';
import { atomicWrite } from '../storage/atomic-write.ts';
import { hashPassword, verifyPassword } from './passwords.ts';
import { BUILTIN_GROUPS, BUILTIN_ROLES, PRIVILEGE_NAMES, describePrivilege } from './privileges.ts';
import type { Ace, RbacView, Subject } from './rbac.ts';

export type User = {
  user_id: string;
  username: string;
  email: string | null;
  full_name: string | null;
  is_active: boolean;
  is_superadmin: boolean;
  hashed_password: string;
  created_at: string;
  updated_at: string;
  last_login: string | null;
};
export type Group = { user_group_id: string; name: string; is_builtin: boolean; created_at: string; updated_at: string; members: string[] };
export type Role = { role_id: string; name: string; description: string | null; is_builtin: boolean; created_at: string; updated_at: string; privileges: string[] };
export type Privilege = { privilege_id: string; name: string; description: string; created_at: string; updated_at: string };
export type StoredAce = Ace & { created_at: string; updated_at: string };
export type Pool = { resource_pool_id: string; name: string; created_at: string; updated_at: string; resources: string[] };

type Data = { version: 1; users: User[]; groups: Group[]; roles: Role[]; privileges: Privilege[]; aces: StoredAce[]; pools: Pool[] };
type Table = Exclude<keyof Data, 'version'>;
type Row<T extends Table> = Data[T][number];

/** Per table: the id key, the error of an unknown id, and (named tables) the error of a name in use. */
const TABLES = {
  users: { id: 'user_id', missing: 'USER_NOT_FOUND' },
  groups: { id: 'user_group_id', missing: 'GROUP_NOT_FOUND', taken: 'GROUP_NAME_TAKEN', builtin: 'GROUP_BUILTIN' },
  roles: { id: 'role_id', missing: 'ROLE_NOT_FOUND', taken: 'ROLE_NAME_TAKEN', builtin: 'ROLE_BUILTIN' },
  privileges: { id: 'privilege_id', missing: 'PRIVILEGE_NOT_FOUND' },
  aces: { id: 'ace_id', missing: 'ACE_NOT_FOUND' },
  pools: { id: 'resource_pool_id', missing: 'POOL_NOT_FOUND', taken: 'POOL_NAME_TAKEN' },
} as const;
type Named = 'groups' | 'roles' | 'pools';

/** GNS3's timestamps: naive ISO without zone or fraction, e.g. `2026-11-29T19:42:16`. */
export const timestamp = (date = new Date()) => date.toISOString().slice(0, 19);

export type AccessDefaults = { adminUsername: string; adminPassword: string };

export class AccessStore implements RbacView {
  readonly file: string;
  readonly #data: Data;
  #write: Promise<void> = Promise.resolve();

  private constructor(file: string, data: Data) {
    this.file = file;
    this.#data = data;
  }

  /** Loads the store, or creates it with 3.0.6's defaults (super admin, built-in groups and roles, empty ACL). */
  static async open(file: string, defaults: AccessDefaults): Promise<AccessStore> {
    const text = await readFile(file, 'utf8').catch((err: NodeJS.ErrnoException) => {
      if (err.code === 'ENOENT') return undefined;
      throw err;
    });
    if (text !== undefined) return new AccessStore(file, JSON.parse(text) as Data);
    const now = timestamp();
    const privileges = PRIVILEGE_NAMES.map((name) => ({ privilege_id: randomUUID(), name, description: describePrivilege(name), created_at: now, updated_at: now }));
    const idOf = new Map(privileges.map((p) => [p.name, p.privilege_id]));
    const store = new AccessStore(file, {
      version: 1,
      users: [{
        user_id: randomUUID(), username: defaults.adminUsername, email: null, full_name: 'Super Administrator', is_active: true, is_superadmin: true,
        hashed_password: await hashPassword(defaults.adminPassword), created_at: now, updated_at: now, last_login: null,
      }],
      groups: BUILTIN_GROUPS.map((name) => ({ user_group_id: randomUUID(), name, is_builtin: true, created_at: now, updated_at: now, members: [] })),
      roles: BUILTIN_ROLES.map((r) => ({
        role_id: randomUUID(), name: r.name, description: r.description, is_builtin: true, created_at: now, updated_at: now,
        privileges: r.privileges.map((p) => idOf.get(p)!),
      })),
      privileges,
      aces: [],
      pools: [],
    });
    await store.save();
    return store;
  }

  /** The row of `table` with that id; its registry error (404) when there is none. */
  #row<T extends Table>(table: T, id: string): Row<T> {
    const key = TABLES[table].id;
    const row = (this.#data[table] as Array<Record<string, unknown>>).find((r) => r[key] === id);
    if (!row) throw fail(TABLES[table].missing as 'USER_NOT_FOUND', id);
    return row as Row<T>;
  }

  /** Refuses a name another row of `table` has (400). */
  #nameFree(table: Named, name: string | undefined, except?: Row<Named>): void {
    if (name !== undefined && (this.#data[table] as Array<Row<Named>>).some((r) => r !== except && r.name === name)) {
      throw fail(TABLES[table].taken as 'GROUP_NAME_TAKEN', name);
    }
  }

  /** 403 for a built-in group or role. */
  #notBuiltin(table: Named, row: Row<Named>, action: 'updated' | 'deleted'): void {
    const kind = TABLES[table];
    if ('is_builtin' in row && row.is_builtin && 'builtin' in kind) {
      throw fail(kind.builtin as 'GROUP_BUILTIN', (row as Record<string, unknown>)[kind.id] as string, action);
    }
  }

  /** Changes a group, role or pool (not a built-in one; its name must stay unique). */
  async #change<T extends Named>(table: T, row: Row<T>, changes: Partial<Row<T>>): Promise<Row<T>> {
    this.#notBuiltin(table, row, 'updated');
    this.#nameFree(table, changes.name, row);
    Object.assign(row, Object.fromEntries(Object.entries(changes).filter(([, value]) => value !== undefined)), { updated_at: timestamp() });
    await this.save();
    return row;
  }

  /** Deletes a user, group or role (not a built-in one) with the ACEs naming it, and those on its own path. */
  async #drop(table: 'users' | 'groups' | 'roles', row: Row<'users' | 'groups' | 'roles'>): Promise<void> {
    if (table !== 'users') this.#notBuiltin(table, row as Row<Named>, 'deleted');
    const id = (row as Record<string, unknown>)[TABLES[table].id] as string;
    const aceKey = ({ users: 'user_id', groups: 'group_id', roles: 'role_id' } as const)[table];
    (this.#data[table] as unknown[]) = (this.#data[table] as unknown[]).filter((r) => r !== row);
    const path = `/${table}/${id}`;
    this.#data.aces = this.#data.aces.filter((a) => a[aceKey] !== id && a.path !== path && !a.path.startsWith(`${path}/`));
    await this.save();
  }

  /** Serialised atomic writes: the file always holds one complete state. */
  save(): Promise<void> {
    const text = JSON.stringify(this.#data, null, 1) + '\n';
    this.#write = this.#write.then(async () => {
      await mkdir(dirname(this.file), { recursive: true });
      await atomicWrite(this.file, text, { mode: 0o600 });
    });
    return this.#write;
  }

  // ---- users ----

  get users(): readonly User[] {
    return this.#data.users;
  }

  userByName(username: string): User | undefined {
    return this.#data.users.find((u) => u.username === username);
  }

  user(userId: string): User {
    return this.#row('users', userId);
  }

  /** Whether `username` still has `password` (no side effect; used to warn about the default admin password). */
  async hasPassword(username: string, password: string): Promise<boolean> {
    const user = this.userByName(username);
    return user !== undefined && verifyPassword(password, user.hashed_password);
  }

  /** The user if the credentials match (an inactive user authenticates, the route layer refuses it). */
  async authenticate(username: string, password: string): Promise<User | undefined> {
    const user = this.userByName(username);
    if (!user) {
      // Same cost as a real check, so timing does not tell which user names exist.
      await verifyPassword(password, await dummy());
      return undefined;
    }
    if (!(await verifyPassword(password, user.hashed_password))) return undefined;
    user.last_login = timestamp();
    await this.save();
    return user;
  }

  #checkUnique(username: string | undefined, email: string | null | undefined, except?: User): void {
    if (username !== undefined && this.#data.users.some((u) => u !== except && u.username === username)) {
      throw fail('USERNAME_TAKEN', username);
    }
    if (email && this.#data.users.some((u) => u !== except && u.email === email)) throw fail('EMAIL_TAKEN', email);
  }

  async createUser(input: { username: string; password: string; email?: string | null; full_name?: string | null; is_active?: boolean }): Promise<User> {
    this.#checkUnique(input.username, input.email);
    const now = timestamp();
    const user: User = {
      user_id: randomUUID(), username: input.username, email: input.email ?? null, full_name: input.full_name ?? null, is_active: input.is_active ?? true,
      is_superadmin: false, hashed_password: await hashPassword(input.password), created_at: now, updated_at: now, last_login: null,
    };
    this.#data.users.push(user);
    await this.save();
    return user;
  }

  async updateUser(user: User, input: { username?: string; password?: string; email?: string | null; full_name?: string | null; is_active?: boolean }): Promise<User> {
    this.#checkUnique(input.username, input.email, user);
    if (input.username !== undefined) user.username = input.username;
    if (input.email !== undefined) user.email = input.email;
    if (input.full_name !== undefined) user.full_name = input.full_name;
    // The super admin stays active: deactivating it would lock everyone out.
    if (input.is_active !== undefined && !user.is_superadmin) user.is_active = input.is_active;
    if (input.password !== undefined) user.hashed_password = await hashPassword(input.password);
    user.updated_at = timestamp();
    await this.save();
    return user;
  }

  async deleteUser(user: User): Promise<void> {
    if (user.is_superadmin) throw fail('SUPERADMIN_DELETE');
    for (const group of this.#data.groups) group.members = group.members.filter((id) => id !== user.user_id);
    await this.#drop('users', user);
  }

  subject(user: User): Subject {
    return {
      user_id: user.user_id,
      is_superadmin: user.is_superadmin,
      groupIds: this.#data.groups.filter((g) => g.members.includes(user.user_id)).map((g) => g.user_group_id),
    };
  }

  // ---- groups ----

  get groups(): readonly Group[] {
    return this.#data.groups;
  }

  group(groupId: string): Group {
    return this.#row('groups', groupId);
  }

  async createGroup(name: string): Promise<Group> {
    this.#nameFree('groups', name);
    const now = timestamp();
    const group: Group = { user_group_id: randomUUID(), name, is_builtin: false, created_at: now, updated_at: now, members: [] };
    this.#data.groups.push(group);
    await this.save();
    return group;
  }

  renameGroup(group: Group, name: string | undefined): Promise<Group> {
    return this.#change('groups', group, { name });
  }

  deleteGroup(group: Group): Promise<void> {
    return this.#drop('groups', group);
  }

  async setMember(group: Group, user: User, member: boolean): Promise<void> {
    group.members = group.members.filter((id) => id !== user.user_id);
    if (member) group.members.push(user.user_id);
    await this.save();
  }

  groupsOf(user: User): Group[] {
    return this.#data.groups.filter((g) => g.members.includes(user.user_id));
  }

  // ---- roles and privileges ----

  get roles(): readonly Role[] {
    return this.#data.roles;
  }

  get privileges(): readonly Privilege[] {
    return this.#data.privileges;
  }

  role(roleId: string): Role {
    return this.#row('roles', roleId);
  }

  privilege(privilegeId: string): Privilege {
    return this.#row('privileges', privilegeId);
  }

  privilegesOf(roleId: string): ReadonlySet<string> {
    const role = this.#data.roles.find((r) => r.role_id === roleId);
    return new Set(role?.privileges.map((id) => this.#data.privileges.find((p) => p.privilege_id === id)?.name ?? '') ?? []);
  }

  async createRole(input: { name: string; description?: string | null }): Promise<Role> {
    this.#nameFree('roles', input.name);
    const now = timestamp();
    const role: Role = { role_id: randomUUID(), name: input.name, description: input.description ?? null, is_builtin: false, created_at: now, updated_at: now, privileges: [] };
    this.#data.roles.push(role);
    await this.save();
    return role;
  }

  updateRole(role: Role, input: { name?: string; description?: string | null }): Promise<Role> {
    return this.#change('roles', role, { name: input.name, description: input.description });
  }

  deleteRole(role: Role): Promise<void> {
    return this.#drop('roles', role);
  }

  async setRolePrivilege(role: Role, privilege: Privilege, granted: boolean): Promise<void> {
    this.#notBuiltin('roles', role, 'updated');
    role.privileges = role.privileges.filter((id) => id !== privilege.privilege_id);
    if (granted) role.privileges.push(privilege.privilege_id);
    role.updated_at = timestamp();
    await this.save();
  }

  // ---- ACL ----

  get aces(): readonly StoredAce[] {
    return this.#data.aces;
  }

  ace(aceId: string): StoredAce {
    return this.#row('aces', aceId);
  }

  #checkAce(input: Omit<Ace, 'ace_id'>): void {
    this.role(input.role_id);
    if (input.ace_type === 'user') {
      if (!input.user_id) throw fail('ACE_SUBJECT_MISSING', 'user');
      this.user(input.user_id);
    } else {
      if (!input.group_id) throw fail('ACE_SUBJECT_MISSING', 'group');
      this.group(input.group_id);
    }
  }

  async createAce(input: Omit<Ace, 'ace_id'>): Promise<StoredAce> {
    this.#checkAce(input);
    const now = timestamp();
    const ace: StoredAce = {
      ...input, ace_id: randomUUID(), user_id: input.ace_type === 'user' ? input.user_id : null,
      group_id: input.ace_type === 'group' ? input.group_id : null, created_at: now, updated_at: now,
    };
    this.#data.aces.push(ace);
    await this.save();
    return ace;
  }

  async updateAce(ace: StoredAce, input: Omit<Ace, 'ace_id'>): Promise<StoredAce> {
    this.#checkAce(input);
    Object.assign(ace, input, {
      user_id: input.ace_type === 'user' ? input.user_id : null, group_id: input.ace_type === 'group' ? input.group_id : null, updated_at: timestamp(),
    });
    await this.save();
    return ace;
  }

  async deleteAce(ace: StoredAce): Promise<void> {
    this.#data.aces = this.#data.aces.filter((a) => a !== ace);
    await this.save();
  }

  /** Removes the ACEs of a deleted resource (its path and everything below). */
  async dropAcesUnder(path: string): Promise<void> {
    const before = this.#data.aces.length;
    this.#data.aces = this.#data.aces.filter((a) => a.path !== path && !a.path.startsWith(`${path}/`));
    if (this.#data.aces.length !== before) await this.save();
  }

  // ---- resource pools ----

  get pools(): readonly Pool[] {
    return this.#data.pools;
  }

  pool(poolId: string): Pool {
    return this.#row('pools', poolId);
  }

  poolsOf(resourceId: string): readonly string[] {
    return this.#data.pools.filter((p) => p.resources.includes(resourceId)).map((p) => p.resource_pool_id);
  }

  async createPool(name: string): Promise<Pool> {
    this.#nameFree('pools', name);
    const now = timestamp();
    const pool: Pool = { resource_pool_id: randomUUID(), name, created_at: now, updated_at: now, resources: [] };
    this.#data.pools.push(pool);
    await this.save();
    return pool;
  }

  renamePool(pool: Pool, name: string | undefined): Promise<Pool> {
    return this.#change('pools', pool, { name });
  }

  async deletePool(pool: Pool): Promise<void> {
    this.#data.pools = this.#data.pools.filter((p) => p !== pool);
    this.#data.aces = this.#data.aces.filter((a) => a.path !== `/pools/${pool.resource_pool_id}`);
    await this.save();
  }

  async addToPool(pool: Pool, resourceId: string): Promise<void> {
    if (pool.resources.includes(resourceId)) throw fail('POOL_HAS_RESOURCE', resourceId, pool.name);
    pool.resources.push(resourceId);
    await this.save();
  }

  async removeFromPool(pool: Pool, resourceId: string): Promise<void> {
    if (!pool.resources.includes(resourceId)) throw fail('POOL_LACKS_RESOURCE', resourceId, pool.name);
    pool.resources = pool.resources.filter((id) => id !== resourceId);
    await this.save();
  }

  /** A deleted project leaves every pool. */
  async forgetResource(resourceId: string): Promise<void> {
    const pools = this.#data.pools.filter((p) => p.resources.includes(resourceId));
    for (const pool of pools) pool.resources = pool.resources.filter((id) => id !== resourceId);
    if (pools.length > 0) await this.save();
  }
}

/** A valid hash of a random password, checked when the user name is unknown so both paths cost the same. */
let dummyHash: Promise<string> | undefined;
const dummy = () => (dummyHash ??= hashPassword(randomUUID()));
