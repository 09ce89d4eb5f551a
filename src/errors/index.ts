/**
 * Errors of patchbay: throw by kind, branch on codes.
 *
 * ```ts
 * throw fail('PROJECT_NOT_FOUND', projectId);           // 404 "Project ID … doesn't exist"
 * if (isError(err, 'COMPUTE_ANSWERED_NOT_FOUND')) …      // instead of err.status === 404
 * ```
 * Domain code never builds HTTP bodies; the HTTP layer (src/api) renders a `PatchbayError` as GNS3's
 * `{"status", "message"}` plus `exception` (and any `fields`) where GNS3 sends them.
 */
import { kinds, type ErrorCode, type Kinds } from './kinds.ts';

export { ERROR_KINDS, type ErrorCode, type ErrorKind, type ForwardedFields } from './kinds.ts';

type MessageValues<C extends ErrorCode> = Kinds[C] extends { message: (...values: infer A) => string } ? A : never;

export class PatchbayError extends Error {
  readonly code: ErrorCode;
  readonly status: number;
  /** GNS3's exception class name, when GNS3 sends one for this error. */
  readonly exception: string | undefined;
  /** Further GNS3 body fields (e.g. `image` of an ImageMissingError). */
  readonly fields: Readonly<Record<string, string>>;

  constructor(code: ErrorCode, message: string, fields: Record<string, string> = {}, options?: ErrorOptions) {
    super(message, options);
    this.name = 'PatchbayError';
    const kind = kinds[code];
    this.code = code;
    this.status = kind.status;
    this.exception = fields.exception ?? ('exception' in kind ? kind.exception : undefined);
    const { exception: _exception, ...rest } = fields;
    this.fields = rest;
  }
}

/** The error of kind `code`, its message filled with `values` (positional, as the kind's template declares them). */
export function fail<C extends ErrorCode>(code: C, ...values: MessageValues<C>): PatchbayError {
  const kind = kinds[code] as { message: (...v: unknown[]) => string; fields?: (...v: unknown[]) => Record<string, string> };
  return new PatchbayError(code, kind.message(...values), kind.fields?.(...values) ?? {});
}

/** Whether `err` is a patchbay error, and (when codes are given) of one of those kinds. */
export function isError(err: unknown, ...codes: ErrorCode[]): err is PatchbayError {
  return err instanceof PatchbayError && (codes.length === 0 || codes.includes(err.code));
}
