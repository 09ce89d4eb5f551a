/** Steps shared by the /v3 tests: login, bearer requests, and WebSockets with `?token=`. */
import WebSocket from 'ws';
import type { DaemonProcess } from '../helpers/daemon.ts';

export const V3_VPCS_TEMPLATE = '52136454-1f50-590a-94e4-816bd02d1062';

export async function login(d: Pick<DaemonProcess, 'api'>, username = 'admin', password = 'admin'): Promise<string> {
  const response = await d.api('/v3/access/users/login', {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ username, password }).toString(),
  });
  if (response.status !== 200) throw new Error(`login ${username}: ${response.status} ${await response.text()}`);
  return ((await response.json()) as { access_token: string }).access_token;
}

/** A JSON client that sends the bearer token and checks the status. */
export function bearer(d: Pick<DaemonProcess, 'api'>, token: string) {
  return async (method: string, path: string, body?: unknown, expect?: number): Promise<any> => {
    const response = await d.api(path, {
      method,
      headers: { authorization: `Bearer ${token}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await response.text();
    if (expect !== undefined && response.status !== expect) throw new Error(`${method} ${path}: expected ${expect}, got ${response.status} ${text}`);
    return text ? JSON.parse(text) : null;
  };
}

export type SocketResult = { frames: Array<string | Buffer>; closeCode?: number; status?: number; socket?: WebSocket };

/** Opens a WebSocket; resolves once `done(frames)` holds, it closes, or the handshake fails (`status`). */
export function openSocket(url: string, done: (frames: Array<string | Buffer>) => boolean, onOpen?: (ws: WebSocket) => void): Promise<SocketResult> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url);
    const frames: Array<string | Buffer> = [];
    const timer = setTimeout(() => {
      ws.terminate();
      reject(new Error(`no answer on ${url}: ${frames.map(String).join('|')}`));
    }, 30_000);
    ws.on('open', () => onOpen?.(ws));
    ws.on('message', (data, binary) => {
      frames.push(binary ? (data as Buffer) : data.toString());
      if (done(frames)) {
        clearTimeout(timer);
        resolve({ frames, socket: ws });
      }
    });
    ws.on('close', (code) => {
      clearTimeout(timer);
      resolve({ frames, closeCode: code });
    });
    ws.on('unexpected-response', (_req, res) => {
      clearTimeout(timer);
      resolve({ frames, status: res.statusCode });
    });
    ws.on('error', () => {});
  });
}
