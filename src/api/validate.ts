/** Request body parsing and valibot validation with GNS3-style 400 messages that name the field. */
import * as v from 'valibot';
import type { Context } from 'hono';
import { HttpError, badRequest } from './errors.ts';

/** Largest JSON body accepted; GNS3 bodies are a few KiB at most. */
export const MAX_JSON_BODY = 1024 * 1024;

export function describeIssues(issues: readonly v.BaseIssue<unknown>[]): string {
  return issues
    .map((issue) => {
      const path = v.getDotPath(issue);
      return path ? `"${path}": ${issue.message}` : issue.message;
    })
    .join('; ');
}

/** Validates `value` against `schema`, throwing a 400 that names each offending field. */
export function check<S extends v.GenericSchema>(schema: S, value: unknown): v.InferOutput<S> {
  const result = v.safeParse(schema, value);
  if (!result.success) throw badRequest(`Invalid request: ${describeIssues(result.issues)}`);
  return result.output;
}

/** Reads the JSON body (empty means `{}`), as GNS3 does, and validates it. */
export async function body<S extends v.GenericSchema>(c: Context, schema: S): Promise<v.InferOutput<S>> {
  const declared = Number(c.req.header('content-length') ?? 0);
  if (declared > MAX_JSON_BODY) throw new HttpError(413, `Request body is larger than ${MAX_JSON_BODY} bytes`);
  const text = await c.req.text();
  if (text.length > MAX_JSON_BODY) throw new HttpError(413, `Request body is larger than ${MAX_JSON_BODY} bytes`);
  let parsed: unknown = {};
  if (text.trim() !== '') {
    try {
      parsed = JSON.parse(text);
    } catch (err) {
      throw badRequest(`Invalid JSON: ${(err as Error).message}`);
    }
  }
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) {
    throw badRequest(`Invalid request: the body must be a JSON object, received ${JSON.stringify(parsed)}`);
  }
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
