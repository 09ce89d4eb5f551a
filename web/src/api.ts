/**
 * The GNS3 v2 controller API as the UI uses it: JSON requests, GNS3 error bodies turned into readable errors, and
 * WebSocket URLs. Only public /v2 routes, so the UI works against gns3-server too. The server is this page's origin,
 * or another one given as `?server=http://host:3080` (it must then allow this origin: CORS).
 */

export class ApiError extends Error {
  constructor(readonly status: number, message: string) {
    super(message);
  }
}

export type Json = Record<string, any>;

export class Api {
  constructor(readonly base: string) {}

  static fromLocation(): Api {
    const server = new URLSearchParams(location.search).get('server');
    return new Api((server ?? location.origin).replace(/\/+$/, ''));
  }

  url(path: string): string {
    return `${this.base}/v2${path}`;
  }

  wsUrl(path: string): string {
    return this.url(path).replace(/^http/, 'ws');
  }

  async request<T = any>(method: string, path: string, body?: unknown, raw?: BodyInit): Promise<T> {
    const init: RequestInit = { method };
    if (raw !== undefined) init.body = raw;
    else if (body !== undefined) {
      init.body = JSON.stringify(body);
      init.headers = { 'Content-Type': 'application/json' };
    }
    const response = await fetch(this.url(path), init);
    const text = await response.text();
    if (!response.ok) {
      let message = text || response.statusText;
      try {
        message = JSON.parse(text).message ?? message;
      } catch {
        // Not JSON (a proxy's or aiohttp's plain text answer): show it as it is.
      }
      throw new ApiError(response.status, `${method} ${path}: ${response.status} ${message}`);
    }
    return (text ? JSON.parse(text) : undefined) as T;
  }

  get = <T = any>(path: string) => this.request<T>('GET', path);
  post = <T = any>(path: string, body?: unknown) => this.request<T>('POST', path, body ?? {});
  put = <T = any>(path: string, body: unknown) => this.request<T>('PUT', path, body);
  delete = (path: string) => this.request('DELETE', path);
}

export const api = Api.fromLocation();
