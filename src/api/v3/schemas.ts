/**
 * Request bodies of the v3 controller API, derived from the domain's (v2) schemas in `controller/schemas.ts`:
 * `v.object` drops unknown keys, as 3.0's pydantic models do, and read-only keys clients echo back (`status`, `ports`,
 * `project_id`...) are simply not picked.
 */
import * as v from 'valibot';
import { NODE_TYPES } from '../../controller/templates.ts';
import { Name, Uuid } from '../../compute/schemas.ts';
import * as domain from '../../controller/schemas.ts';

/** 3.0 user, group and role names: at least 3 of `[a-zA-Z0-9_-]`. */
const AccountName = v.pipe(v.string(), v.regex(/^[a-zA-Z0-9_-]{3,}$/, 'must be at least 3 characters of a-z, A-Z, 0-9, "_" or "-"'), v.maxLength(100));
const Password = v.pipe(v.string(), v.minLength(8), v.maxLength(100));
const Email = v.nullable(v.pipe(v.string(), v.email()));

export const VersionCheck = v.object({ version: v.string() });
export const Credentials = v.object({ username: v.pipe(v.string(), v.maxLength(100)), password: v.pipe(v.string(), v.maxLength(100)) });

export const UserCreate = v.object({
  username: AccountName,
  password: Password,
  email: v.optional(Email),
  full_name: v.optional(v.nullable(v.pipe(v.string(), v.maxLength(200)))),
  is_active: v.optional(v.boolean()),
});
export const UserUpdate = v.partial(UserCreate);
/** What a user may change about itself: never its name, activity or privileges. */
export const UserSelfUpdate = v.object({ password: v.optional(Password), email: v.optional(Email), full_name: v.optional(v.nullable(v.string())) });

export const GroupBody = v.object({ name: AccountName });
export const GroupUpdate = v.partial(GroupBody);
export const RoleBody = v.object({ name: AccountName, description: v.optional(v.nullable(v.string())) });
export const RoleUpdate = v.partial(RoleBody);
export const PoolBody = v.object({ name: Name });
export const PoolUpdate = v.partial(PoolBody);

export const AceBody = v.object({
  ace_type: v.picklist(['user', 'group']),
  path: v.pipe(v.string(), v.startsWith('/'), v.maxLength(300)),
  propagate: v.optional(v.boolean(), true),
  allowed: v.optional(v.boolean(), true),
  user_id: v.optional(v.nullable(Uuid), null),
  group_id: v.optional(v.nullable(Uuid), null),
  role_id: Uuid,
});

/** 3.0 requires `user` and `password` (a compute without credentials made 3.0.6 answer 500). */
const computeFields = { ...v.omit(domain.ComputeCreate, ['user', 'password', 'compute_id', 'name']).entries, user: v.string(), password: v.string() };
export const ComputeCreate = v.object({ ...computeFields, name: v.optional(v.nullable(Name)), compute_id: v.optional(v.nullable(Uuid)) });
export const ComputeUpdate = v.partial(v.object({ ...computeFields, name: Name }));

export const ProjectCreate = v.object(domain.ProjectCreate.entries);
export const ProjectUpdate = v.object({ ...v.omit(domain.ProjectUpdate, ['path']).entries });
export const ProjectLoad = v.object(domain.ProjectLoad.entries);

/** Node keys a v3 client may set; 3.0 adds the auxiliary console. */
const nodeFields = {
  ...v.pick(v.object(domain.nodeFields), [
    'name', 'console', 'console_type', 'console_auto_start', 'properties', 'label', 'symbol', 'x', 'y', 'z', 'locked', 'port_name_format',
    'port_segment_size', 'first_port_name', 'custom_adapters',
  ]).entries,
  aux: domain.nodeFields.console,
  aux_type: domain.nodeFields.console_type,
};
export const NodeCreate = v.object({
  ...nodeFields,
  compute_id: Name,
  name: Name,
  node_type: v.picklist(NODE_TYPES.filter((t) => t !== 'traceng')),
  node_id: domain.nodeFields.node_id,
  template_id: domain.nodeFields.template_id,
});
export const NodeUpdate = v.object(nodeFields);
export const NodeDuplicate = v.object({ ...domain.NodeDuplicate.entries, z: v.optional(domain.Int, 0) });
/** 3.0 ignores a requested `name`: the template decides it. */
export const TemplateInstance = v.object(v.omit(domain.TemplateInstance, ['name']).entries);
export const StartData = v.record(v.string(), v.unknown());

/** 3.0 types the link style (v2 kept any object). */
const LinkStyle = v.object({ color: v.optional(v.nullable(v.string())), width: v.optional(v.nullable(domain.Int)), type: v.optional(v.nullable(domain.Int)) });
const linkFields = { ...v.pick(domain.LinkUpdate, ['filters', 'suspend']).entries, link_style: v.optional(LinkStyle) };
export const LinkCreate = v.object({ ...linkFields, nodes: domain.LinkCreate.entries.nodes, link_id: domain.LinkCreate.entries.link_id });
export const LinkUpdate = v.object({ ...linkFields, nodes: v.optional(v.pipe(v.array(domain.LinkEnd), v.maxLength(2))) });
export const CaptureStart = v.object(domain.CaptureStart.entries);

export const DrawingBody = v.object(v.omit(v.object(domain.drawingFields), ['drawing_id', 'project_id']).entries);

/** `PUT /v3/iou_license`: both keys required in 3.0. */
export const IouLicense = v.object(v.required(domain.IouLicense).entries);

/** `POST /v3/appliances/{id}/version`. */
export const ApplianceVersion = v.object({
  name: v.string(),
  idlepc: v.optional(v.nullable(v.pipe(v.string(), v.regex(/^0x[0-9a-f]{8}$/)))),
  images: v.optional(v.nullable(v.record(v.string(), v.nullable(v.string())))),
});


export const TemplateCreate = v.looseObject({ name: Name, template_type: NodeCreate.entries.node_type });
