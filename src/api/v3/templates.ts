/**
 * Templates as the v3 API shows them. User templates are the controller's own (shared with /v2); built-ins get
 * 3.0's ids (UUIDv5 of the type in the X.500 namespace) and 3.0's shape (`base_script_file` at the top level).
 * Symbols stay the Classic ones patchbay ships (3.0 defaults to the Affinity theme, which is not bundled).
 */
import type { Controller } from '../../controller/controller.ts';
import type { RemoteCompute } from '../../controller/remote-compute.ts';
import type { Node } from '../../controller/node.ts';
import type { ControllerProject } from '../../controller/project.ts';
import { BUILTIN_TEMPLATES, type Template } from '../../controller/templates.ts';
import { fail } from '../../errors/index.ts';
import { NAMESPACE_X500, uuid5 } from './uuid5.ts';

const KEY_ORDER = ['template_id', 'name', 'category', 'default_name_format', 'symbol', 'template_type', 'compute_id', 'builtin'];

/** The 3.0 built-ins, derived from the v2 ones. */
export const V3_BUILTIN_TEMPLATES: readonly Template[] = BUILTIN_TEMPLATES.map((t) => {
  const { properties, ...rest } = t as Template & { properties?: Record<string, unknown> };
  const merged: Record<string, unknown> = { ...rest, ...properties, template_id: uuid5(NAMESPACE_X500, t.template_type) };
  const ordered = Object.fromEntries(KEY_ORDER.map((k) => [k, merged[k]]));
  return { ...ordered, ...merged } as Template;
});

export function listTemplates(controller: Controller): Template[] {
  return [...controller.templates.values(), ...V3_BUILTIN_TEMPLATES];
}

export function getTemplate(controller: Controller, templateId: string): Template {
  const template = V3_BUILTIN_TEMPLATES.find((t) => t.template_id === templateId) ?? controller.templates.user(templateId);
  if (!template) throw fail('TEMPLATE_NOT_FOUND', templateId);
  return template;
}

/** Built-ins are read-only in 3.0 (403, where 2.2 answered 409). */
export function requireUserTemplate(template: Template, verb: 'updated' | 'deleted' | 'duplicated'): void {
  if (template.builtin) throw fail('TEMPLATE_BUILTIN_READ_ONLY', template.template_id, verb);
}

/** Template keys that are node fields rather than emulator properties. */
const NODE_KEYS = new Set([
  'console', 'console_type', 'console_auto_start', 'symbol', 'label', 'port_name_format', 'port_segment_size', 'first_port_name', 'custom_adapters', 'z', 'locked',
]);
const TEMPLATE_KEYS = new Set(['template_id', 'template_type', 'name', 'default_name_format', 'compute_id', 'builtin', 'category', 'usage', 'version', 'created_at', 'updated_at', 'properties']);

/**
 * `POST /v3/projects/{id}/templates/{template_id}`: the request's compute, else the template's, else the only
 * connected compute (3.0 picks a random connected one; with several we ask the client to choose). The name always
 * comes from the template (3.0 ignores a requested name).
 */
export async function addNodeFromTemplate(
  controller: Controller,
  project: ControllerProject,
  template: Template,
  input: { x: number; y: number; compute_id?: string | null },
): Promise<Node> {
  const computeId = input.compute_id ?? template.compute_id;
  let compute: RemoteCompute;
  if (computeId) compute = controller.getCompute(computeId);
  else {
    const connected = [...controller.computes.values()].filter((c) => c.connected);
    if (connected.length !== 1) throw fail('COMPUTE_NOT_FOUND', 'None');
    compute = connected[0];
  }
  const top: Record<string, unknown> = {};
  const properties: Record<string, unknown> = { ...((template.properties as Record<string, unknown> | undefined) ?? {}) };
  for (const [key, value] of Object.entries(template)) {
    if (NODE_KEYS.has(key)) top[key] = value;
    else if (!TEMPLATE_KEYS.has(key)) properties[key] = value;
  }
  const format = String(template.default_name_format ?? '{name}-{0}');
  return project.addNode(compute, {
    ...(top as object),
    first_port_name: (top.first_port_name as string) || null,
    name: format.replace('{name}', template.name),
    node_type: template.template_type,
    template_id: template.template_id,
    properties,
    x: input.x,
    y: input.y,
  });
}
