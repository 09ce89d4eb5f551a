/**
 * How the controller reaches a compute: one interface, two transports. HTTP(S) with basic auth to a remote agent,
 * or in-process calls into the local compute's Hono app (no socket). Both also deliver the compute's notifications.
 */
import type { Notification, Notifier } from '../compute/notifier.ts';

export type { Notification };

export type ComputeRequest = {
  method: string;
  /** Path below `/v2/compute`, e.g. `/projects/<id>/ports/udp`. */
  path: string;
  /** JSON value, or raw bytes/stream sent as `application/octet-stream`. */
  body?: unknown;
  raw?: BodyInit;
  timeoutMs?: number;
  /** Extra headers (e.g. `Range` when proxying). */
  headers?: Record<string, string>;
  signal?: AbortSignal;
};

export type EventHandlers = {
  onEvent(notification: Notification): void;
  /** Called with true once the stream is established, false when it drops. */
  onState(connected: boolean): void;
};

export interface ComputeClient {
  /** Sends a request; resolves with the compute's answer whatever its status, rejects only on transport failure. */
  request(request: ComputeRequest): Promise<Response>;
  /** Starts receiving notifications (reconnecting by itself); returns a function that stops it. */
  subscribe(handlers: EventHandlers): () => void;
  /** WebSocket URL of a compute path, for relaying consoles; undefined when the compute has no socket. */
  wsUrl(path: string): string | undefined;
  readonly authorization?: string;
}

export const DEFAULT_TIMEOUT_MS = 120_000;

function encode(request: ComputeRequest): { body?: BodyInit; headers: Record<string, string> } {
  const headers: Record<string, string> = { ...request.headers };
  if (request.raw !== undefined) {
    headers['content-type'] = 'application/octet-stream';
    return { body: request.raw, headers };
  }
  // GNS3 sends `{}` as no body at all.
  if (request.body === undefined || (typeof request.body === 'object' && request.body !== null && Object.keys(request.body).length === 0)) {
    return { headers };
  }
  headers['content-type'] = 'application/json';
  return { body: JSON.stringify(request.body), headers };
}

function requestInit(request: ComputeRequest, extraHeaders: Record<string, string>): RequestInit {
  const { body, headers } = encode(request);
  const timeout = AbortSignal.timeout(request.timeoutMs ?? DEFAULT_TIMEOUT_MS);
  const signal = request.signal ? AbortSignal.any([timeout, request.signal]) : timeout;
  const init: RequestInit & { duplex?: string } = { method: request.method, headers: { ...extraHeaders, ...headers }, body, signal };
  if (body instanceof ReadableStream) init.duplex = 'half';
  return init;
}

export type HttpTarget = { protocol: 'http' | 'https'; host: string; port: number; user?: string | null; password?: string | null };

/** Host as used in URLs: `0.0.0.0` means "this machine", IPv6 literals need brackets. */
export function urlHost(host: string): string {
  if (host === '0.0.0.0') return '127.0.0.1';
  if (host === '::') return '[::1]';
  return host.includes(':') && !host.startsWith('[') ? `[${host}]` : host;
}

export function basicAuthHeader(user?: string | null, password?: string | null): string | undefined {
  return user ? `Basic ${Buffer.from(`${user}:${password ?? ''}`, 'utf8').toString('base64')}` : undefined;
}

type Socket = {
  onopen: (() => void) | null;
  onmessage: ((event: { data: unknown }) => void) | null;
  onclose: (() => void) | null;
  onerror: (() => void) | null;
  close(): void;
};

/** Opens a client WebSocket with headers: Deno's global WebSocket accepts them, on Node we use `ws`. */
async function openSocket(url: string, headers: Record<string, string>): Promise<Socket> {
  const isDeno = typeof (globalThis as { Deno?: unknown }).Deno !== 'undefined';
  if (isDeno) {
    const Native = (globalThis as unknown as { WebSocket: new (url: string, options: unknown) => Socket }).WebSocket;
    return new Native(url, { headers });
  }
  const { WebSocket: NodeWebSocket } = await import('ws');
  return new NodeWebSocket(url, { headers }) as unknown as Socket;
}

/** Delay before reconnect attempt `n` (0-based): 0.5 s doubling up to 5 s. */
export const backoff = (attempt: number) => Math.min(5000, 500 * 2 ** attempt);

/** A compute that pings once a second is dead if nothing arrived for this long (covers a host that vanished). */
const SILENCE_LIMIT_MS = 10_000;

export class HttpComputeClient implements ComputeClient {
  readonly #base: string;
  readonly #target: HttpTarget;
  readonly authorization?: string;

  constructor(target: HttpTarget) {
    if (!['http', 'https'].includes(target.protocol)) throw new TypeError(`Unsupported protocol "${target.protocol}"`);
    if (!Number.isInteger(target.port) || target.port < 1 || target.port > 65535) throw new TypeError(`Invalid port "${target.port}"`);
    this.#target = target;
    this.#base = `${target.protocol}://${urlHost(target.host)}:${target.port}/v2/compute`;
    this.authorization = basicAuthHeader(target.user, target.password);
  }

  request(request: ComputeRequest): Promise<Response> {
    const auth: Record<string, string> = this.authorization ? { authorization: this.authorization } : {};
    return fetch(this.#base + request.path, requestInit(request, auth));
  }

  wsUrl(path: string): string {
    const scheme = this.#target.protocol === 'https' ? 'wss' : 'ws';
    return `${scheme}://${urlHost(this.#target.host)}:${this.#target.port}/v2/compute${path}`;
  }

  subscribe(handlers: EventHandlers): () => void {
    let stopped = false;
    let attempt = 0;
    let socket: Socket | undefined;
    let retry: ReturnType<typeof setTimeout> | undefined;
    let watchdog: ReturnType<typeof setTimeout> | undefined;
    let open = false;

    const dropped = () => {
      clearTimeout(watchdog);
      socket = undefined;
      if (open) {
        open = false;
        handlers.onState(false);
      }
      if (!stopped) retry = setTimeout(connect, backoff(attempt++));
    };
    const feed = () => {
      clearTimeout(watchdog);
      watchdog = setTimeout(() => socket?.close(), SILENCE_LIMIT_MS);
    };
    const connect = async () => {
      if (stopped) return;
      let current: Socket;
      try {
        current = await openSocket(this.wsUrl('/notifications/ws'), this.authorization ? { authorization: this.authorization } : {});
      } catch {
        return dropped();
      }
      socket = current;
      current.onopen = () => {
        attempt = 0;
        open = true;
        feed();
        handlers.onState(true);
      };
      current.onmessage = (event) => {
        feed();
        try {
          const text = typeof event.data === 'string' ? event.data : new TextDecoder().decode(event.data as ArrayBuffer);
          handlers.onEvent(JSON.parse(text) as Notification);
        } catch {
          // A frame that is not JSON is not a GNS3 notification: ignore it like GNS3 does.
        }
      };
      let closed = false;
      const onEnd = () => {
        if (closed) return;
        closed = true;
        if (socket === current) dropped();
      };
      current.onclose = onEnd;
      current.onerror = onEnd;
    };
    void connect();
    return () => {
      stopped = true;
      clearTimeout(retry);
      clearTimeout(watchdog);
      socket?.close();
    };
  }
}

/** The compute of this very process: requests go straight into its Hono app, events straight from its Notifier. */
export class InProcessComputeClient implements ComputeClient {
  readonly #fetch: (request: Request) => Response | Promise<Response>;
  readonly #notifier: Notifier;
  readonly #base: string;
  readonly #wsBase?: string;
  readonly authorization?: string;

  /**
   * @param options.wsBase `ws://host:port/v2/compute` of this very server, for console relays
   * @param fetch the compute route tree (`inProcessCompute()`), answering paths below `base`
   * @param authorization header the app's auth middleware expects, if any
   */
  constructor(
    fetch: (request: Request) => Response | Promise<Response>,
    notifier: Notifier,
    options: { base?: string; authorization?: string; wsBase?: string } = {},
  ) {
    this.#fetch = fetch;
    this.#notifier = notifier;
    this.#base = options.base ?? 'http://local/v2/compute';
    this.#wsBase = options.wsBase;
    this.authorization = options.authorization;
  }

  async request(request: ComputeRequest): Promise<Response> {
    const auth: Record<string, string> = this.authorization ? { authorization: this.authorization } : {};
    return this.#fetch(new Request(this.#base + request.path, requestInit(request, auth)));
  }

  wsUrl(path: string): string | undefined {
    return this.#wsBase ? this.#wsBase + path : undefined;
  }

  subscribe(handlers: EventHandlers): () => void {
    const unsubscribe = this.#notifier.subscribe((notification) => handlers.onEvent(notification));
    queueMicrotask(() => handlers.onState(true));
    return unsubscribe;
  }
}
