/** Optional HTTP basic auth with a constant-time credential check. */
import { createHash, timingSafeEqual } from 'node:crypto';
import type { MiddlewareHandler } from 'hono';
import { fail } from '../../errors/index.ts';
import { errorResponse } from '../error-response.ts';

export type Credentials = { user: string; password: string };

const digest = (text: string) => createHash('sha256').update(text).digest();

/** Compares hashes so neither the length nor the content of the secret leaks through timing. */
export function sameSecret(given: string, expected: string): boolean {
  return timingSafeEqual(digest(given), digest(expected));
}

/** `skip`: paths with their own authentication (the v3 APIs: bearer tokens, compute credentials). */
export function basicAuth(credentials: Credentials, skip: (path: string) => boolean = () => false): MiddlewareHandler {
  const expected = `Basic ${Buffer.from(`${credentials.user}:${credentials.password}`, 'utf8').toString('base64')}`;
  return async function basicAuth(c, next) {
    if (skip(c.req.path)) return next();
    // GNS3 leaves console websockets unauthenticated: browsers cannot send credentials on them.
    if (c.req.path.endsWith('/console/ws')) return next();
    if (sameSecret(c.req.header('authorization') ?? '', expected)) return next();
    c.header('WWW-Authenticate', 'Basic realm="GNS3 server"');
    return errorResponse(c, fail('UNAUTHORIZED'));
  };
}
