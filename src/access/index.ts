/** The access module of one controller: its store, token issuer and login throttle, kept in the state directory. */
import { join } from 'node:path';
import { LoginThrottle } from './login-throttle.ts';
import { AccessStore, type AccessDefaults } from './store.ts';
import { SECRET_FILE, TokenIssuer, loadSecret } from './tokens.ts';

export type Access = { store: AccessStore; tokens: TokenIssuer; throttle: LoginThrottle };

/** 3.0's `default_admin_username` / `default_admin_password`, used only when the store is first created. */
export const DEFAULT_ADMIN: AccessDefaults = { adminUsername: 'admin', adminPassword: 'admin' };

export async function openAccess(stateDir: string, defaults: AccessDefaults = DEFAULT_ADMIN): Promise<Access> {
  const store = await AccessStore.open(join(stateDir, 'access.json'), defaults);
  const tokens = new TokenIssuer(await loadSecret(join(stateDir, SECRET_FILE)));
  return { store, tokens, throttle: new LoginThrottle() };
}
