/** The one place a patchbay error becomes GNS3's error body: `{"status", "message"}`, plus `exception` and extra fields. */
import type { Context, ErrorHandler, NotFoundHandler } from 'hono';
import { HTTPException } from 'hono/http-exception';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import { fail, isError, type PatchbayError } from '../errors/index.ts';

export type Gns3ErrorBody = { status: number; message: string; exception?: string } & Record<string, unknown>;

export function gns3ErrorBody(err: PatchbayError): Gns3ErrorBody {
  return { status: err.status, message: err.message, ...(err.exception ? { exception: err.exception } : {}), ...err.fields };
}

export function errorResponse(c: Context, err: PatchbayError): Response {
  return c.json(gns3ErrorBody(err), err.status as ContentfulStatusCode);
}

/** A compute's error answer relayed as it came (status and message), for routes that stream a compute's response. */
export async function relayedErrorResponse(c: Context, response: Response): Promise<Response> {
  const { message } = (await response.json().catch(() => ({}))) as { message?: string };
  return c.json({ status: response.status, message: message ?? 'Error' }, response.status as ContentfulStatusCode);
}

/** GNS3's answer to a path no route matches. */
export const gns3NotFound: NotFoundHandler = (c) => errorResponse(c, fail('ROUTE_NOT_FOUND', c.req.method, c.req.path));

/** Error handler of a GNS3 route tree: patchbay errors as GNS3 bodies, anything unexpected reported and answered 500. */
export function gns3ErrorHandler(onInternalError: (err: Error) => void): ErrorHandler {
  return (err, c) => {
    if (isError(err)) return errorResponse(c, err);
    // Hono's own client errors (e.g. a malformed request it refuses) keep their status, in GNS3's shape.
    if (err instanceof HTTPException && err.status < 500) {
      return c.json({ status: err.status, message: err.message }, err.status as ContentfulStatusCode);
    }
    onInternalError(err);
    return errorResponse(c, fail('INTERNAL', err.message));
  };
}
