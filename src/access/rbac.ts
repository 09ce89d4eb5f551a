/**
 * Privilege decisions (pure): which ACE, if any, grants a privilege on a resource path, following GNS3 3.0's rules
 * (user ACEs before group ACEs, deepest matching path first, `propagate` for descendants, resource pools).
 */

export type Ace = {
  ace_id: string;
  ace_type: 'user' | 'group';
  path: string;
  propagate: boolean;
  allowed: boolean;
  user_id: string | null;
  group_id: string | null;
  role_id: string;
};

export type Subject = { user_id: string; is_superadmin: boolean; groupIds: readonly string[] };

export type RbacView = {
  aces: readonly Ace[];
  /** Privilege names of a role (empty for an unknown role). */
  privilegesOf(roleId: string): ReadonlySet<string>;
  /** Pools a project belongs to (empty if none). */
  poolsOf(projectId: string): readonly string[];
};

/** `/a/b/c` → `['/a/b/c', '/a/b', '/a', '/']`. */
export function ancestors(path: string): string[] {
  const parts = path.split('/').filter(Boolean);
  const out: string[] = [];
  for (let n = parts.length; n > 0; n--) out.push(`/${parts.slice(0, n).join('/')}`);
  out.push('/');
  return out;
}

/**
 * The paths whose ACEs may decide for `path`. A project in resource pools is reached only through its pools:
 * `/projects/<id>/...` becomes `/pools/<pool>` (then `/pools`, `/`) for each pool, so an ACE on the project itself
 * no longer applies once it is pooled.
 */
export function decisionPaths(path: string, poolsOf: (projectId: string) => readonly string[]): string[][] {
  const match = /^\/projects\/([^/]+)/.exec(path);
  const pools = match ? poolsOf(match[1]) : [];
  if (pools.length === 0) return [ancestors(path)];
  return pools.map((pool) => ancestors(`/pools/${pool}`));
}

/** First ACE, walking from `path` towards `/`, that applies there and whose role holds the privilege. */
function decide(aces: readonly Ace[], chain: readonly string[], privilege: string, view: RbacView): boolean | undefined {
  for (const prefix of chain) {
    for (const ace of aces) {
      if (ace.path !== prefix) continue;
      if (prefix !== chain[0] && !ace.propagate) continue;
      if (!view.privilegesOf(ace.role_id).has(privilege)) continue;
      return ace.allowed;
    }
  }
  return undefined;
}

/**
 * Whether `subject` holds `privilege` on `path` (the request path without `/v3`). Super admins hold everything;
 * otherwise the user's own ACEs are tried first, then those of its groups; no applicable ACE means no access.
 */
export function hasPrivilege(subject: Subject, privilege: string, path: string, view: RbacView): boolean {
  if (subject.is_superadmin) return true;
  const own = view.aces.filter((a) => a.ace_type === 'user' && a.user_id === subject.user_id);
  const groups = view.aces.filter((a) => a.ace_type === 'group' && a.group_id !== null && subject.groupIds.includes(a.group_id));
  for (const chain of decisionPaths(path, (projectId) => view.poolsOf(projectId))) {
    const decision = decide(own, chain, privilege, view) ?? decide(groups, chain, privilege, view);
    if (decision === true) return true;
  }
  return false;
}
