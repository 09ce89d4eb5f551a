/** The privilege catalogue and the built-in roles and groups of a fresh GNS3 3.0 controller (pure data). */

const ACTIONS: Record<string, readonly string[]> = {
  User: ['Allocate', 'Audit', 'Modify'],
  Group: ['Allocate', 'Audit', 'Modify'],
  Role: ['Allocate', 'Audit', 'Modify'],
  ACE: ['Allocate', 'Audit', 'Modify'],
  Pool: ['Allocate', 'Audit', 'Modify'],
  Template: ['Allocate', 'Audit', 'Modify'],
  Project: ['Allocate', 'Audit', 'Modify'],
  Snapshot: ['Allocate', 'Audit', 'Restore'],
  Node: ['Allocate', 'Audit', 'Modify', 'Console', 'PowerMgmt'],
  Link: ['Allocate', 'Audit', 'Modify', 'Capture'],
  Drawing: ['Allocate', 'Audit', 'Modify'],
  Symbol: ['Allocate', 'Audit'],
  Image: ['Allocate', 'Audit'],
  Compute: ['Allocate', 'Modify', 'Audit'],
  Appliance: ['Allocate', 'Audit'],
};

const VERBS: Record<string, string> = {
  Allocate: 'create or delete',
  Audit: 'view',
  Modify: 'change',
  Restore: 'restore',
  Console: 'open the console of',
  PowerMgmt: 'start, stop, suspend or reload',
  Capture: 'capture packets on',
};

/** All 45 privilege names, `<Object>.<Action>`. */
export const PRIVILEGE_NAMES: readonly string[] = Object.entries(ACTIONS).flatMap(([object, actions]) => actions.map((a) => `${object}.${a}`));

export type PrivilegeName = string;

/** A short description in our own words, e.g. "Node.PowerMgmt" → "Start, stop, suspend or reload nodes". */
export function describePrivilege(name: string): string {
  const [object, action] = name.split('.');
  const noun = object === 'ACE' ? 'access control entries' : `${object.toLowerCase()}s`;
  const text = `${VERBS[action] ?? action} ${noun}`;
  return text[0].toUpperCase() + text.slice(1);
}

const of = (...objects: string[]) => PRIVILEGE_NAMES.filter((p) => objects.includes(p.split('.')[0]));
const audit = (...objects: string[]) => objects.map((o) => `${o}.Audit`);

/** Built-in roles in creation order, with the privileges 3.0.6 gives them. */
export const BUILTIN_ROLES: ReadonlyArray<{ name: string; description: string; privileges: readonly string[] }> = [
  { name: 'Administrator', description: 'Every privilege', privileges: PRIVILEGE_NAMES },
  {
    name: 'User',
    description: 'Work on projects: nodes, links, drawings and snapshots; use templates, symbols and images',
    privileges: [...of('Project', 'Snapshot', 'Node', 'Link', 'Drawing'), ...audit('Template', 'Symbol', 'Image', 'Compute'), 'Appliance.Allocate', 'Appliance.Audit'],
  },
  {
    name: 'Auditor',
    description: 'Read-only access to projects and the resources they use',
    privileges: audit('Project', 'Snapshot', 'Node', 'Link', 'Drawing', 'Template', 'Symbol', 'Image', 'Compute', 'Appliance'),
  },
  { name: 'Template manager', description: 'Manage templates, symbols, images and appliances', privileges: of('Template', 'Symbol', 'Image', 'Appliance') },
  { name: 'User manager', description: 'Manage users and groups', privileges: of('User', 'Group') },
  { name: 'ACL manager', description: 'Manage roles and access control entries', privileges: of('Role', 'ACE') },
  { name: 'No Access', description: 'No privilege at all', privileges: [] },
];

export const BUILTIN_GROUPS: readonly string[] = ['Administrators', 'Users'];
