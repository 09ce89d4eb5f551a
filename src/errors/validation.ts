/** valibot results as INVALID_REQUEST errors whose message names each offending field. */
import * as v from 'valibot';
import { fail } from './index.ts';

/** `"field.path": message; …` for every issue. */
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
  if (!result.success) throw fail('INVALID_REQUEST', describeIssues(result.issues));
  return result.output;
}
