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
    const user = this.#data.users.find((u) => u.user_id === userId);
    if (!user) throw fail('USER_NOT_FOUND', userId);
    return user;
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
    this.#data.users = this.#data.users.filter((u) => u !== user);
    for (const group of this.#data.groups) group.members = group.members.filter((id) => id !== user.user_id);
    this.#data.aces = this.#data.aces.filter((a) => a.user_id !== user.user_id && !a.path.startsWith(`/users/${user.user_id}`));
    await this.save();
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
    const group = this.#data.groups.find((g) => g.user_group_id === groupId);
    if (!group) throw fail('GROUP_NOT_FOUND', groupId);
    return group;
  }

  async createGroup(name: string): Promise<Group> {
    if (this.#data.groups.some((g) => g.name === name)) throw fail('GROUP_NAME_TAKEN', name);
    const now = timestamp();
    const group: Group = { user_group_id: randomUUID(), name, is_builtin: false, created_at: now, updated_at: now, members: [] };
    this.#data.groups.push(group);
    await this.save();
    return group;
  }

  async renameGroup(group: Group, name: string | undefined): Promise<Group> {
    if (group.is_builtin) throw fail('GROUP_BUILTIN', group.user_group_id, 'updated');
    if (name !== undefined && this.#data.groups.some((g) => g !== group && g.name === name)) throw fail('GROUP_NAME_TAKEN', name);
    if (name !== undefined) group.name = name;
    group.updated_at = timestamp();
    await this.save();
    return group;
  }

  async deleteGroup(group: Group): Promise<void> {
    if (group.is_builtin) throw fail('GROUP_BUILTIN', group.user_group_id, 'deleted');
    this.#data.groups = this.#data.groups.filter((g) => g !== group);
    this.#data.aces = this.#data.aces.filter((a) => a.group_id !== group.user_group_id && !a.path.startsWith(`/groups/${group.user_group_id}`));
    await this.save();
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
    const role = this.#data.roles.find((r) => r.role_id === roleId);
    if (!role) throw fail('ROLE_NOT_FOUND', roleId);
    return role;
  }

  privilege(privilegeId: string): Privilege {
    const privilege = this.#data.privileges.find((p) => p.privilege_id === privilegeId);
    if (!privilege) throw fail('PRIVILEGE_NOT_FOUND', privilegeId);
    return privilege;
  }

  privilegesOf(roleId: string): ReadonlySet<string> {
    const role = this.#data.roles.find((r) => r.role_id === roleId);
    return new Set(role?.privileges.map((id) => this.#data.privileges.find((p) => p.privilege_id === id)?.name ?? '') ?? []);
  }

  async createRole(input: { name: string; description?: string | null }): Promise<Role> {
    if (this.#data.roles.some((r) => r.name === input.name)) throw fail('ROLE_NAME_TAKEN', input.name);
    const now = timestamp();
    const role: Role = { role_id: randomUUID(), name: input.name, description: input.description ?? null, is_builtin: false, created_at: now, updated_at: now, privileges: [] };
    this.#data.roles.push(role);
    await this.save();
    return role;
  }

  async updateRole(role: Role, input: { name?: string; description?: string | null }): Promise<Role> {
    if (role.is_builtin) throw fail('ROLE_BUILTIN', role.role_id, 'updated');
    if (input.name !== undefined && this.#data.roles.some((r) => r !== role && r.name === input.name)) throw fail('ROLE_NAME_TAKEN', input.name);
    if (input.name !== undefined) role.name = input.name;
    if (input.description !== undefined) role.description = input.description;
    role.updated_at = timestamp();
    await this.save();
    return role;
  }

  async deleteRole(role: Role): Promise<void> {
    if (role.is_builtin) throw fail('ROLE_BUILTIN', role.role_id, 'deleted');
    this.#data.roles = this.#data.roles.filter((r) => r !== role);
    this.#data.aces = this.#data.aces.filter((a) => a.role_id !== role.role_id && !a.path.startsWith(`/roles/${role.role_id}`));
    await this.save();
  }

  async setRolePrivilege(role: Role, privilege: Privilege, granted: boolean): Promise<void> {
    if (role.is_builtin) throw fail('ROLE_BUILTIN', role.role_id, 'updated');
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
    const ace = this.#data.aces.find((a) => a.ace_id === aceId);
    if (!ace) throw fail('ACE_NOT_FOUND', aceId);
    return ace;
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
    const pool = this.#data.pools.find((p) => p.resource_pool_id === poolId);
    if (!pool) throw fail('POOL_NOT_FOUND', poolId);
    return pool;
  }

  poolsOf(resourceId: string): readonly string[] {
    return this.#data.pools.filter((p) => p.resources.includes(resourceId)).map((p) => p.resource_pool_id);
  }

  async createPool(name: string): Promise<Pool> {
    if (this.#data.pools.some((p) => p.name === name)) throw fail('POOL_NAME_TAKEN', name);
    const now = timestamp();
    const pool: Pool = { resource_pool_id: randomUUID(), name, created_at: now, updated_at: now, resources: [] };
    this.#data.pools.push(pool);
    await this.save();
    return pool;
  }

  async renamePool(pool: Pool, name: string | undefined): Promise<Pool> {
    if (name !== undefined && this.#data.pools.some((p) => p !== pool && p.name === name)) throw fail('POOL_NAME_TAKEN', name);
    if (name !== undefined) pool.name = name;
    pool.updated_at = timestamp();
    await this.save();
    return pool;
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
