/**
 * A lean keep-alive HTTP client for benchmarks: `fetch` (undici) adds ~0.4 ms per request on this machine, which
 * would be charged to the server under test.
 */
import { Agent, request } from 'node:http';

const agent = new Agent({ keepAlive: true, maxSockets: 256 });

export type Reply = { status: number; text: string };

export function call(url: string, method = 'GET', body?: unknown): Promise<Reply> {
  const payload = body === undefined ? undefined : JSON.stringify(body);
  return new Promise((resolve, reject) => {
    const req = request(url, {
      method,
      agent,
      headers: payload ? { 'content-type': 'application/json', 'content-length': Buffer.byteLength(payload) } : {},
    }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (chunk) => (text += chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, text }));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end(payload);
  });
}

/** Calls and checks the status, throwing with the body on a mismatch. */
export async function expectStatus(url: string, method: string, body: unknown, status: number): Promise<Reply> {
  const reply = await call(url, method, body);
  if (reply.status !== status) throw new Error(`${method} ${url}: expected ${status}, got ${reply.status}: ${reply.text}`);
  return reply;
}
