/** The controller's templates: GNS3's built-in set, then user templates, which the controller's state file keeps. */
import { randomUUID } from 'node:crypto';
import { fail } from '../errors/index.ts';
import { BUILTIN_TEMPLATES, createTemplate, type Template } from './templates.ts';

export type TemplateStoreHooks = {
  /** User templates changed: persist them. */
  changed(): Promise<void>;
  /** `template.created|updated|deleted` for the notification streams. */
  emit(action: string, template: Template): void;
};

export class TemplateStore {
  readonly #user = new Map<string, Template>();
  readonly #hooks: TemplateStoreHooks;

  constructor(hooks: TemplateStoreHooks) {
    this.#hooks = hooks;
  }

  /** User templates read back from the state file. */
  load(templates: Template[]): void {
    for (const template of templates) this.#user.set(template.template_id, template);
  }

  /** A user template by id, or undefined (built-in ones are not looked at). */
  user(templateId: string): Template | undefined {
    return this.#user.get(templateId);
  }

  /** User templates only (what the state file stores). */
  values(): IterableIterator<Template> {
    return this.#user.values();
  }

  /** Built-in templates, then user templates (GNS3's order). */
  list(): Template[] {
    return [...BUILTIN_TEMPLATES, ...this.#user.values()];
  }

  /** A template by id (built-in or user); 404 when there is none. */
  get(templateId: string): Template {
    const template = BUILTIN_TEMPLATES.find((t) => t.template_id === templateId) ?? this.#user.get(templateId);
    if (!template) throw fail('TEMPLATE_NOT_FOUND', templateId);
    return template;
  }

  async add(input: Record<string, unknown>): Promise<Template> {
    const template = createTemplate(input, randomUUID());
    if (this.#user.has(template.template_id) || BUILTIN_TEMPLATES.some((t) => t.template_id === template.template_id)) {
      throw fail('TEMPLATE_ID_TAKEN', template.template_id);
    }
    this.#user.set(template.template_id, template);
    await this.#hooks.changed();
    this.#hooks.emit('template.created', template);
    return template;
  }

  async update(template: Template, changes: Record<string, unknown>): Promise<Template> {
    if (template.builtin) throw fail('TEMPLATE_BUILTIN', template.template_id, 'modified');
    for (const [key, value] of Object.entries(changes)) {
      if (!['template_id', 'template_type', 'compute_id', 'builtin'].includes(key)) template[key] = value;
    }
    await this.#hooks.changed();
    this.#hooks.emit('template.updated', template);
    return template;
  }

  async delete(template: Template): Promise<void> {
    if (template.builtin) throw fail('TEMPLATE_BUILTIN', template.template_id, 'deleted');
    this.#user.delete(template.template_id);
    await this.#hooks.changed();
    this.#hooks.emit('template.deleted', template);
  }

  async duplicate(template: Template): Promise<Template> {
    if (template.builtin) throw fail('TEMPLATE_BUILTIN', template.template_id, 'duplicated');
    const copy = { ...structuredClone(template), template_id: randomUUID() };
    this.#user.set(copy.template_id, copy);
    await this.#hooks.changed();
    this.#hooks.emit('template.created', copy);
    return copy;
  }
}
