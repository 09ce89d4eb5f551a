/** The peer address of a request, from what each runtime hands Hono as `env` (Node: the socket; Deno: serve info). */
import type { Context } from 'hono';

type NodeEnv = { incoming?: { socket?: { remoteAddress?: string } } };
type DenoEnv = { remoteAddr?: { hostname?: string } };

/** e.g. `127.0.0.1`; `unknown` for in-process requests (the local compute), which have no socket. */
export function clientAddress(c: Context): string {
  const env = c.env as (NodeEnv & DenoEnv) | undefined;
  const address = env?.incoming?.socket?.remoteAddress ?? env?.remoteAddr?.hostname;
  return address?.replace(/^::ffff:/, '') ?? 'unknown';
}
