/** A compute as the controller sees it: how to reach it, whether it is connected, its load, and GNS3's error mapping. */
import type { ComputeClient, ComputeRequest, Notification } from './compute-client.ts';
import { cpuUsagePercent, memoryUsagePercent } from '../compute/host-stats.ts';
import { GNS3_VERSION } from './version.ts';
import { fail } from '../errors/index.ts';

export type ComputeSettings = {
  compute_id: string;
  name: string;
  protocol: 'http' | 'https';
  host: string;
  port: number;
  user: string | null;
  password: string | null;
  /** When the compute was registered and last changed (naive UTC ISO, as 3.0 stores them); absent for v2-era entries. */
  created_at?: string;
  updated_at?: string;
};

export type ComputeHooks = {
  /** State or load changed: the controller emits `compute.updated`. */
  changed(compute: RemoteCompute): void;
  /** A notification other than ping. */
  event(compute: RemoteCompute, notification: Notification): void;
  connected(compute: RemoteCompute): void;
  disconnected(compute: RemoteCompute): void;
};

type QueryOptions = Omit<ComputeRequest, 'method' | 'path' | 'body'> & {
  /** Fail at once instead of waiting for a (re)connection, as GNS3 does for stop and close. */
  dontConnect?: boolean;
};

/** How long a request waits for a compute that is (re)connecting before answering 409. */
const CONNECT_WAIT_MS = 5000;
const LOCAL_PING_MS = 2000;

/** GNS3's default compute name: `http://host:port`, or with the (shortened) user. */
export function defaultComputeName(s: Pick<ComputeSettings, 'protocol' | 'host' | 'port' | 'user'>): string {
  if (!s.user) return `${s.protocol}://${s.host}:${s.port}`;
  const user = s.user.length > 14 ? `${s.user.slice(0, 11)}...` : s.user;
  return `${s.protocol}://${user}@${s.host}:${s.port}`;
}

/**
 * The controller's view of one compute (agent): its settings, connection state and client. The local compute is one
 * too, called in-process; the agent-side counterpart is `compute/compute.ts`.
 */
export class RemoteCompute {
  settings: ComputeSettings;
  connected = false;
  cpuUsage: number | null = null;
  memoryUsage: number | null = null;
  /** Only 3.0 computes report it (in their pings). */
  diskUsage: number | null = null;
  lastError: string | null = null;
  capabilities: Record<string, unknown> = { version: null, node_types: [] };
  client: ComputeClient;
  readonly #hooks: ComputeHooks;
  readonly #inProcess: boolean;
  #unsubscribe?: () => void;
  #localPing?: ReturnType<typeof setInterval>;
  #waiters: Array<() => void> = [];
  #closed = false;

  readonly #version: string;

  constructor(settings: ComputeSettings, client: ComputeClient, hooks: ComputeHooks, options: { inProcess?: boolean; version?: string } = {}) {
    this.#version = options.version ?? GNS3_VERSION;
    this.settings = settings;
    this.client = client;
    this.#hooks = hooks;
    this.#inProcess = options.inProcess ?? false;
  }

  get id(): string {
    return this.settings.compute_id;
  }

  get name(): string {
    return this.settings.name;
  }

  /** Address other computes use to send link traffic here. */
  get linkHost(): string {
    return this.settings.host === '0.0.0.0' || this.settings.host === '::' ? '127.0.0.1' : this.settings.host;
  }

  /** Starts following the compute; connection state then tracks its notification stream. */
  start(): void {
    if (this.#unsubscribe || this.#closed) return;
    this.#unsubscribe = this.client.subscribe({
      onEvent: (n) => this.#onEvent(n),
      onState: (up) => void (up ? this.#handshake() : this.#lost()),
    });
  }

  /** Swaps the transport (new address or credentials) and reconnects. */
  reconnect(client: ComputeClient): void {
    this.stop();
    this.#closed = false;
    this.client = client;
    this.start();
  }

  stop(): void {
    this.#unsubscribe?.();
    this.#unsubscribe = undefined;
    clearInterval(this.#localPing);
    if (this.connected) this.#lost();
  }

  close(): void {
    this.#closed = true;
    this.stop();
  }

  async #handshake(): Promise<void> {
    try {
      const caps = (await this.query('GET', '/capabilities', undefined, { dontConnect: true, timeoutMs: 10_000 })) as Record<string, unknown>;
      if (!caps || typeof caps.version !== 'string') throw fail('COMPUTE_NOT_GNS3', this.id);
      if (caps.version.split('-')[0] !== this.#version) {
        this.lastError = `Incompatible version: compute ${this.name} runs ${caps.version}, the controller runs ${this.#version}`;
        this.#hooks.changed(this);
        return;
      }
      this.capabilities = caps;
    } catch (err) {
      this.lastError = (err as Error).message;
      this.#hooks.changed(this);
      return;
    }
    this.connected = true;
    this.lastError = null;
    if (this.#inProcess) {
      const ping = () =>
        this.#onEvent({ action: 'ping', event: { cpu_usage_percent: cpuUsagePercent(), memory_usage_percent: memoryUsagePercent() } });
      ping();
      this.#localPing = setInterval(ping, LOCAL_PING_MS);
      this.#localPing.unref?.();
    }
    for (const wake of this.#waiters.splice(0)) wake();
    this.#hooks.changed(this);
    this.#hooks.connected(this);
  }

  #lost(): void {
    clearInterval(this.#localPing);
    const was = this.connected;
    this.connected = false;
    this.cpuUsage = null;
    this.memoryUsage = null;
    this.diskUsage = null;
    if (was) {
      this.#hooks.changed(this);
      this.#hooks.disconnected(this);
    }
  }

  #onEvent(n: Notification): void {
    if (n.action === 'ping') {
      const event = (n.event ?? {}) as { cpu_usage_percent?: number; memory_usage_percent?: number; disk_usage_percent?: number };
      this.cpuUsage = event.cpu_usage_percent ?? null;
      this.memoryUsage = event.memory_usage_percent ?? null;
      this.diskUsage = event.disk_usage_percent ?? null;
      if (this.connected) this.#hooks.changed(this);
      return;
    }
    this.#hooks.event(this, n);
  }

  /** Resolves true once connected, false after a few seconds without a connection. */
  waitConnected(): Promise<boolean> {
    if (this.connected) return Promise.resolve(true);
    if (!this.#unsubscribe) return Promise.resolve(false);
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.#waiters = this.#waiters.filter((w) => w !== wake);
        resolve(false);
      }, CONNECT_WAIT_MS);
      const wake = () => {
        clearTimeout(timer);
        resolve(true);
      };
      this.#waiters.push(wake);
    });
  }

  /** Raw exchange (streams, files); transport failures become GNS3's 409 / 408. */
  async fetch(method: string, path: string, options: QueryOptions & { body?: unknown } = {}): Promise<Response> {
    // A compute registered without connecting (3.0's `connect=false`) connects before its first request.
    if (!options.dontConnect) this.start();
    if (!options.dontConnect && !(await this.waitConnected())) {
      throw fail('COMPUTE_UNREACHABLE', this.name, method, path);
    }
    try {
      return await this.client.request({ ...options, method, path });
    } catch (err) {
      if ((err as Error).name === 'TimeoutError') throw fail('COMPUTE_REQUEST_TIMEOUT', this.name, method, path);
      throw fail('COMPUTE_UNREACHABLE', this.name, method, path);
    }
  }

  /** JSON exchange; compute errors are mapped as GNS3's controller maps them. */
  async query(method: string, path: string, body?: unknown, options: QueryOptions = {}): Promise<unknown> {
    const response = await this.fetch(method, path, { ...options, body });
    const text = await response.text();
    let json: unknown;
    if (text) {
      try {
        json = JSON.parse(text);
      } catch {
        if (response.ok) throw fail('COMPUTE_NOT_GNS3', this.id);
      }
    }
    if (response.ok) return json;
    const message = (json as { message?: string } | undefined)?.message;
    const extras = json && typeof json === 'object' ? (json as Record<string, string>) : {};
    const where = `/v2/compute${path}`;
    switch (response.status) {
      case 400:
        throw fail('COMPUTE_BAD_REQUEST', where, text);
      case 401:
        throw fail('COMPUTE_UNAUTHORIZED', message ?? '401');
      case 403:
        throw fail('COMPUTE_FORBIDDEN', message ?? '403');
      case 404:
        throw fail('COMPUTE_ANSWERED_NOT_FOUND', message ?? `${method} ${where} not found`);
      case 408:
      case 504:
        throw fail('COMPUTE_TIMEOUT', message ?? `Timeout on compute '${this.name}'`);
      case 409:
        throw fail('COMPUTE_CONFLICT', message ?? text, { exception: extras.exception, image: extras.image });
      case 503:
        throw fail('COMPUTE_UNAVAILABLE', message ?? 'Service unavailable');
      default:
        throw fail('COMPUTE_INTERNAL', where, message);
    }
  }

  toJSON(): Record<string, unknown> {
    const s = this.settings;
    return {
      compute_id: s.compute_id,
      name: s.name,
      protocol: s.protocol,
      host: s.host,
      port: s.port,
      user: s.user,
      connected: this.connected,
      cpu_usage_percent: this.cpuUsage,
      memory_usage_percent: this.memoryUsage,
      last_error: this.lastError,
      capabilities: this.capabilities,
    };
  }

  toTopology(): { compute_id: string; name: string; protocol: 'http' | 'https'; host: string; port: number } {
    const { compute_id, name, protocol, host, port } = this.settings;
    return { compute_id, name, protocol, host, port };
  }
}
