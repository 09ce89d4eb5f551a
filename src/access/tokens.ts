/**
 * JWT access tokens as GNS3 3.0 issues them (HS256, claims `sub` and `exp`), signed with a per-install secret kept in
 * the state directory (`gns3_jwt_secret_key`, 32 random bytes as hex, created on first start with mode 0600).
 * Stricter than 3.0.6: an expired token is refused.
 */
import { randomBytes } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { atomicWrite } from '../storage/atomic-write.ts';

export const SECRET_FILE = 'gns3_jwt_secret_key';
/** GNS3's default `jwt_access_token_expire_minutes`. */
export const DEFAULT_LIFETIME_S = 1440 * 60;
/** Longer than any token we issue; bigger ones are refused before any parsing. */
export const MAX_TOKEN_LENGTH = 2048;

/** Reads the install's signing secret, creating it on first use. */
export async function loadSecret(file: string): Promise<Uint8Array> {
  let text = await readFile(file, 'utf8').then((t) => t.trim(), () => '');
  if (text.length < 32) {
    text = randomBytes(32).toString('hex');
    await atomicWrite(file, text, { mode: 0o600 });
  }
  return new TextEncoder().encode(text);
}

/** jose (≈ 1 MiB of RSS) loads with the first token issued or checked: a controller that no /v3 client uses never needs it. */
let joseLoading: Promise<typeof import('jose')> | undefined;
const jose = () => (joseLoading ??= import('jose'));

export class TokenIssuer {
  readonly #secret: Uint8Array;
  readonly #lifetimeS: number;

  constructor(secret: Uint8Array, lifetimeS = DEFAULT_LIFETIME_S) {
    this.#secret = secret;
    this.#lifetimeS = lifetimeS;
  }

  async issue(username: string, now = Date.now()): Promise<string> {
    const { SignJWT } = await jose();
    return new SignJWT({ sub: username })
      .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
      .setExpirationTime(Math.floor(now / 1000) + this.#lifetimeS)
      .sign(this.#secret);
  }

  /** The username a valid token was issued to, or undefined (bad signature, expired, malformed, oversized). */
  async verify(token: string, now = Date.now()): Promise<string | undefined> {
    if (token.length === 0 || token.length > MAX_TOKEN_LENGTH) return undefined;
    const { jwtVerify } = await jose();
    try {
      const { payload } = await jwtVerify(token, this.#secret, { algorithms: ['HS256'], currentDate: new Date(now), requiredClaims: ['sub', 'exp'] });
      return typeof payload.sub === 'string' && payload.sub !== '' ? payload.sub : undefined;
    } catch {
      return undefined;
    }
  }
}
