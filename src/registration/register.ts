/** `patchbay agent --controller URL`: the agent announces itself to a controller (POST /v2/computes) at every start. */
import { hostname } from 'node:os';
import { backoff, basicAuthHeader } from '../controller/compute-client.ts';

export type Registration = {
  /** Controller base URL; `user:password@` in it is sent as basic auth. */
  controller: string;
  computeId?: string;
  name?: string;
  protocol: 'http' | 'https';
  host: string;
  port: number;
  user?: string;
  password?: string;
};

/** The POST /v2/computes body and where to send it. */
export function registrationRequest(r: Registration): { url: string; headers: Record<string, string>; body: Record<string, unknown> } {
  const url = new URL(r.controller);
  const auth = basicAuthHeader(decodeURIComponent(url.username), decodeURIComponent(url.password));
  url.username = '';
  url.password = '';
  const computeId = r.computeId ?? hostname();
  return {
    url: `${url.origin}${url.pathname.replace(/\/$/, '')}/v2/computes`,
    headers: { 'content-type': 'application/json', ...(auth ? { authorization: auth } : {}) },
    body: {
      compute_id: computeId,
      name: r.name ?? computeId,
      protocol: r.protocol,
      host: r.host,
      port: r.port,
      user: r.user ?? null,
      password: r.password ?? null,
    },
  };
}

/**
 * Registers, retrying with backoff until the controller accepts (it may start after us). The controller keeps the
 * compute in its state file, so once is enough per agent start. Returns a function that cancels pending retries.
 */
export function register(r: Registration, log: (line: string) => void = console.log): () => void {
  const { url, headers, body } = registrationRequest(r);
  let stopped = false;
  let timer: ReturnType<typeof setTimeout> | undefined;
  const attempt = async (n: number): Promise<void> => {
    if (stopped) return;
    try {
      const response = await fetch(url, { method: 'POST', headers, body: JSON.stringify(body), signal: AbortSignal.timeout(10_000) });
      if (response.ok) {
        await response.body?.cancel();
        log(`patchbay registered with controller ${url} as compute "${body.compute_id}"`);
        return;
      }
      const text = await response.text();
      // A 4xx other than 408 will not get better by retrying (bad credentials, name clash).
      if (response.status >= 400 && response.status < 500 && response.status !== 408) {
        log(`patchbay: controller refused registration (${response.status}): ${text}`);
        return;
      }
    } catch {
      // Controller not up yet: retry below.
    }
    timer = setTimeout(() => void attempt(n + 1), backoff(Math.min(n, 4)) * 2);
  };
  void attempt(0);
  return () => {
    stopped = true;
    clearTimeout(timer);
  };
}
