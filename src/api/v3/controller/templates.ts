/** `/v3/templates`: user templates shared with /v2, 3.0's built-ins, and the images templates reference. */
import { Hono } from 'hono';
import { createHash } from 'node:crypto';
import * as v from 'valibot';
import type { Access } from '../../../access/index.ts';
import type { Controller } from '../../../controller/controller.ts';
import type { ImageStore } from '../../../controller/image-store.ts';
import { designates, imageReferences, requireTemplateImages, templatesUsing } from '../../../controller/template-images.ts';
import { templateKeys, type Template } from '../../../controller/templates.ts';
import { fail } from '../../../errors/index.ts';
import { guard, type V3Env } from '../auth.ts';
import { v3ErrorHandler } from '../errors.ts';
import { TemplateCreate } from '../schemas.ts';
import { getTemplate, listTemplates, requireUserTemplate } from '../templates.ts';
import { queryFlag, uuidParam, v3Body } from '../validate.ts';

const md5 = (text: string) => createHash('md5').update(text).digest('hex');

/** The keys of `input` a template of `type` may carry (3.0 drops the others instead of refusing them). */
function knownKeys(type: string, input: Record<string, unknown>): Record<string, unknown> {
  const allowed = templateKeys(type);
  return Object.fromEntries(Object.entries(input).filter(([key]) => allowed.has(key) && key !== 'template_id' && key !== 'builtin'));
}

export function templateRoutes(controller: Controller, access: Access, images: ImageStore): Hono<V3Env> {
  const app = new Hono<V3Env>();
  app.onError(v3ErrorHandler);
  const can = (privilege: string) => guard(access, privilege);

  app.get('/templates', (c) => c.json(listTemplates(controller)));
  app.post('/templates', can('Template.Allocate'), async (c) => {
    const input = await v3Body(c, TemplateCreate);
    const kept = knownKeys(input.template_type, input);
    if (listTemplates(controller).some((t) => t.name === input.name)) throw fail('TEMPLATE_NAME_TAKEN', input.name);
    await requireTemplateImages(images, input.template_type, kept);
    return c.json(await controller.templates.add({ compute_id: null, ...kept }), 201);
  });
  app.get('/templates/:template_id', (c) => {
    const template = getTemplate(controller, uuidParam(c, 'template_id'));
    const etag = `"${md5(JSON.stringify(template))}"`;
    if (c.req.header('if-none-match') === etag) return c.body(null, 304);
    c.header('ETag', etag);
    return c.json(template);
  });
  app.put('/templates/:template_id', can('Template.Modify'), async (c) => {
    const template = getTemplate(controller, uuidParam(c, 'template_id'));
    requireUserTemplate(template, 'updated');
    const kept = knownKeys(template.template_type, await v3Body(c, v.record(v.string(), v.unknown())));
    await requireTemplateImages(images, template.template_type, kept);
    return c.json(await controller.templates.update(template, kept));
  });
  app.delete('/templates/:template_id', can('Template.Allocate'), async (c) => {
    const template = getTemplate(controller, uuidParam(c, 'template_id'));
    const prune = queryFlag(c, 'prune_images', false);
    requireUserTemplate(template, 'deleted');
    await controller.templates.delete(template);
    await access.store.dropAcesUnder(`/templates/${template.template_id}`);
    if (prune) await pruneImagesOf(template, controller, images);
    return c.body(null, 204);
  });
  app.post('/templates/:template_id/duplicate', can('Template.Allocate'), async (c) => {
    const template = getTemplate(controller, uuidParam(c, 'template_id'));
    requireUserTemplate(template, 'duplicated');
    return c.json(await controller.templates.duplicate(template), 201);
  });
  return app;
}

/** `prune_images=true`: the deleted template's images that no remaining template uses are removed. */
async function pruneImagesOf(template: Template, controller: Controller, images: ImageStore): Promise<void> {
  const refs = imageReferences(template.template_type, template);
  for (const image of await images.list()) {
    const referenced = refs.some((ref) => designates(ref.name, image));
    if (referenced && templatesUsing(controller.templates.values(), image).length === 0) await images.remove(image);
  }
}
