/** Request parsing for the v3 APIs: unknown keys are dropped, failures are 422 naming the field (as FastAPI does). */
import type { Context } from 'hono';
import * as v from 'valibot';
import { fail } from '../../errors/index.ts';
import { UUID_PATTERN } from '../../compute/schemas.ts';
import { MAX_JSON_BODY } from '../validate.ts';
import { unprocessable, validationMessage } from './errors.ts';

async function readJson(c: Context, required: boolean): Promise<unknown> {
  const declared = Number(c.req.header('content-length') ?? 0);
  if (declared > MAX_JSON_BODY) throw fail('BODY_TOO_LARGE', MAX_JSON_BODY);
  const text = await c.req.text();
  if (text.length > MAX_JSON_BODY) throw fail('BODY_TOO_LARGE', MAX_JSON_BODY);
  if (text.trim() === '') {
    if (required) throw unprocessable(`1 validation error:\n  {'type': 'missing', 'loc': ('body',), 'msg': 'Field required'}`);
    return {};
  }
  try {
    return JSON.parse(text);
  } catch (err) {
    throw unprocessable(`1 validation error:\n  {'type': 'json_invalid', 'loc': ('body',), 'msg': 'JSON decode error: ${(err as Error).message.replaceAll("'", '"')}'}`);
  }
}

/**
 * Validates the JSON body against `schema` (an `object` schema, so unknown keys are dropped as 3.0 does).
 * `required`: an empty body is a 422 (start and capture/start declare a body upstream); else it counts as `{}`.
 */
export async function v3Body<S extends v.GenericSchema>(c: Context, schema: S, required = true): Promise<v.InferOutput<S>> {
  const parsed = await readJson(c, required);
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) {
    throw unprocessable(`1 validation error:\n  {'type': 'dict_type', 'loc': ('body',), 'msg': 'Input should be a valid dictionary'}`);
  }
  const result = v.safeParse(schema, parsed);
  if (!result.success) throw unprocessable(validationMessage('body', result.issues));
  return result.output;
}

/** A path parameter that must be a UUID (422 otherwise, v2 answered 400). */
export function uuidParam(c: Context, name: string): string {
  const value = c.req.param(name) ?? '';
  if (!UUID_PATTERN.test(value)) {
    throw unprocessable(`1 validation error:\n  {'type': 'uuid_parsing', 'loc': ('path', '${name}'), 'msg': 'Input should be a valid UUID'}`);
  }
  return value.toLowerCase();
}

/** Boolean query flags as FastAPI reads them (`true/false/yes/no/1/0/on/off`). */
export function queryFlag(c: Context, name: string, fallback: boolean): boolean {
  const raw = c.req.query(name);
  if (raw === undefined) return fallback;
  const text = raw.toLowerCase();
  if (['true', 'yes', '1', 'on'].includes(text)) return true;
  if (['false', 'no', '0', 'off'].includes(text)) return false;
  throw unprocessable(`1 validation error:\n  {'type': 'bool_parsing', 'loc': ('query', '${name}'), 'msg': 'Input should be a valid boolean'}`);
}
