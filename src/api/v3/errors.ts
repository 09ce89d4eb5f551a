/** v3 error bodies: `{"message"}` without `status`, 422 for request validation, FastAPI's `{"detail"}` for no route. */
import type { Context, ErrorHandler } from 'hono';
import { HTTPException } from 'hono/http-exception';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import * as v from 'valibot';
import { fail, isError, type PatchbayError } from '../../errors/index.ts';

/** pydantic-style rendering of valibot issues: `1 validation error:\n  {'loc': ('body', 'name'), 'msg': '...'}`. */
export function validationMessage(where: string, issues: readonly v.BaseIssue<unknown>[]): string {
  const lines = issues.map((issue) => {
    const loc = [where, ...(issue.path?.map((p) => String(p.key)) ?? [])].map((k) => `'${k}'`).join(', ');
    const missing = issue.received === 'undefined';
    return `  {'type': '${missing ? 'missing' : issue.kind}', 'loc': (${loc}), 'msg': '${missing ? 'Field required' : issue.message.replaceAll("'", '"')}'}`;
  });
  return `${issues.length} validation error${issues.length === 1 ? '' : 's'}:\n${lines.join('\n')}`;
}

export const unprocessable = (message: string): PatchbayError => fail('V3_VALIDATION', message);

/** Controller errors: GNS3's status, `{"message"}` only; anything unexpected goes to the root handler (500, logged). */
export const v3ErrorHandler: ErrorHandler = (err, c: Context) => {
  if (isError(err)) return c.json({ message: err.message }, err.status as ContentfulStatusCode);
  if (err instanceof HTTPException && err.status < 500) return c.json({ message: err.message }, err.status as ContentfulStatusCode);
  throw err;
};
