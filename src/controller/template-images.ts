/**
 * Which images a template references, and the checks GNS3 3.0 makes before storing one: every referenced image must be
 * in the controller's image store and of the type the template needs. The template–image relation is derived from
 * the templates' own fields, so it cannot drift from them (3.0 keeps it as a table of its own).
 */
import { fail } from '../errors/index.ts';
import type { ImageInfo, ImageStore, ImageType } from './image-store.ts';
import type { Template } from './templates.ts';

export type ImageReference = { key: string; name: string; type: ImageType };

/** The image names a template (or template body) of `type` references: dynamips `image`, iou `path`, qemu `*_image`. */
export function imageReferences(type: string, settings: Record<string, unknown>): ImageReference[] {
  const named = (key: string, imageType: ImageType): ImageReference[] => {
    const value = settings[key];
    return typeof value === 'string' && value !== '' ? [{ key, name: value, type: imageType }] : [];
  };
  if (type === 'dynamips') return named('image', 'ios');
  if (type === 'iou') return named('path', 'iou');
  if (type === 'qemu') return Object.keys(settings).filter((key) => key.endsWith('_image')).flatMap((key) => named(key, 'qemu'));
  return [];
}

/** Whether `reference` (a file name, or a path ending with it) designates `image`. */
export const designates = (name: string, image: ImageInfo) => name === image.filename || image.path.endsWith(`/${name}`);

/** Names of the templates that reference `image`. */
export function templatesUsing(templates: Iterable<Template>, image: ImageInfo): string[] {
  return [...templates]
    .filter((t) => imageReferences(t.template_type, t).some((ref) => designates(ref.name, image)))
    .map((t) => t.name);
}

/** 3.0's checks on a template's images before it is stored: 404 unknown image, 400 wrong image type. */
export async function requireTemplateImages(store: ImageStore, type: string, settings: Record<string, unknown>): Promise<void> {
  const images = await store.list();
  for (const ref of imageReferences(type, settings)) {
    const image = images.find((i) => designates(ref.name, i));
    if (!image) throw fail('TEMPLATE_IMAGE_UNKNOWN', ref.name);
    if (image.image_type !== ref.type) throw fail('TEMPLATE_IMAGE_TYPE', image.filename, ref.type, image.image_type);
  }
}
