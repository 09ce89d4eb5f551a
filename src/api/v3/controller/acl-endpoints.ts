/** The resource paths ACL entries may name (`GET /v3/access/acl/endpoints`), and the check `POST /v3/access/acl` applies. */
import type { AccessStore } from '../../../access/store.ts';
import type { Controller } from '../../../controller/controller.ts';
import { UUID_PATTERN } from '../../../compute/schemas.ts';

const ID = UUID_PATTERN.source.slice(1, -1);

/** Path templates, ids as UUIDs, as 3.0 validates them. */
const TEMPLATES: readonly RegExp[] = [
  '/', '/projects', `/projects/${ID}`, `/projects/${ID}/nodes`, `/projects/${ID}/nodes/${ID}`, `/projects/${ID}/links`, `/projects/${ID}/links/${ID}`,
  '/access/users', `/users/${ID}`, '/access/groups', `/groups/${ID}`, '/access/roles', `/roles/${ID}`, '/images', '/images/[^/]+', '/templates',
  `/templates/${ID}`, '/pools', `/pools/${ID}`,
].map((t) => new RegExp(`^${t}$`));

export function matchesEndpoint(path: string): boolean {
  return TEMPLATES.some((t) => t.test(path));
}

type Endpoint = { endpoint: string; name: string; endpoint_type: string };

export function aclEndpoints(controller: Controller, store: AccessStore): Endpoint[] {
  const out: Endpoint[] = [{ endpoint: '/', name: 'Root', endpoint_type: 'root' }, { endpoint: '/projects', name: 'All projects', endpoint_type: 'project' }];
  for (const p of controller.projects.values()) {
    out.push({ endpoint: `/projects/${p.id}`, name: `Project "${p.name}"`, endpoint_type: 'project' });
    out.push({ endpoint: `/projects/${p.id}/nodes`, name: `All nodes in project "${p.name}"`, endpoint_type: 'node' });
    for (const n of p.nodes.values()) out.push({ endpoint: `/projects/${p.id}/nodes/${n.node_id}`, name: `Node "${n.name}" in project "${p.name}"`, endpoint_type: 'node' });
    out.push({ endpoint: `/projects/${p.id}/links`, name: `All links in project "${p.name}"`, endpoint_type: 'link' });
    for (const l of p.links.values()) out.push({ endpoint: `/projects/${p.id}/links/${l.link_id}`, name: `Link in project "${p.name}"`, endpoint_type: 'link' });
  }
  out.push({ endpoint: '/access/users', name: 'All users', endpoint_type: 'user' });
  for (const u of store.users) out.push({ endpoint: `/users/${u.user_id}`, name: `User "${u.username}"`, endpoint_type: 'user' });
  out.push({ endpoint: '/access/groups', name: 'All groups', endpoint_type: 'group' });
  for (const g of store.groups) out.push({ endpoint: `/groups/${g.user_group_id}`, name: `Group "${g.name}"`, endpoint_type: 'group' });
  out.push({ endpoint: '/access/roles', name: 'All roles', endpoint_type: 'role' });
  for (const r of store.roles) out.push({ endpoint: `/roles/${r.role_id}`, name: `Role "${r.name}"`, endpoint_type: 'role' });
  out.push({ endpoint: '/images', name: 'All images', endpoint_type: 'image' });
  out.push({ endpoint: '/templates', name: 'All templates', endpoint_type: 'template' });
  for (const t of controller.templates.values()) out.push({ endpoint: `/templates/${t.template_id}`, name: `Template "${t.name}"`, endpoint_type: 'template' });
  out.push({ endpoint: '/pools', name: 'All resource pools', endpoint_type: 'pool' });
  for (const p of store.pools) out.push({ endpoint: `/pools/${p.resource_pool_id}`, name: `Resource pool "${p.name}"`, endpoint_type: 'pool' });
  return out;
}
