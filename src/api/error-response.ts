/** The one place a patchbay error becomes GNS3's error body: `{"status", "message"}`, plus `exception` and extra fields. */
import type { Context } from 'hono';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import type { PatchbayError } from '../errors/index.ts';

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
