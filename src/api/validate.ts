/** Request body parsing and valibot validation with GNS3-style 400 messages that name the field. */
import type * as v from 'valibot';
import type { Context } from 'hono';
import { fail } from '../errors/index.ts';
import { check } from '../errors/validation.ts';

/** Largest JSON body accepted; GNS3 bodies are a few KiB at most. */
export const MAX_JSON_BODY = 1024 * 1024;

/** Reads the JSON body (empty means `{}`), as GNS3 does, and validates it. */
export async function body<S extends v.GenericSchema>(c: Context, schema: S): Promise<v.InferOutput<S>> {
  const declared = Number(c.req.header('content-length') ?? 0);
  if (declared > MAX_JSON_BODY) throw fail('BODY_TOO_LARGE', MAX_JSON_BODY);
  const text = await c.req.text();
  if (text.length > MAX_JSON_BODY) throw fail('BODY_TOO_LARGE', MAX_JSON_BODY);
  let parsed: unknown = {};
  if (text.trim() !== '') {
    try {
      parsed = JSON.parse(text);
    } catch (err) {
      throw fail('INVALID_JSON', (err as Error).message);
    }
  }
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) throw fail('BODY_NOT_OBJECT', JSON.stringify(parsed));
  return check(schema, parsed);
}

/**
 * Decodes a path parameter once more (clients send `%2F` inside file paths and symbol ids), keeping the text as is
 * when it is not valid percent-encoding: Hono already decoded it once, so `e%25` arrives as `e%`, and a throwing
 * decodeURIComponent would turn bad input into a 500.
 */
export function decodeParam(raw: string): string {
  try {
    return decodeURIComponent(raw);
  } catch {
    return raw;
  }
}
