/**
 * Controller and project notification streams: one queue per listener, a ping first and after 5 s of silence,
 * messages as GNS3 frames them (`{"action", "event"}`, sorted keys).
 */
import { cpuUsagePercent, memoryUsagePercent } from '../compute/host-stats.ts';

export type Message = { action: string; event: unknown };

const IDLE_PING_MS = 5000;
/** A listener that stops reading is dropped rather than allowed to grow without bound. */
const MAX_QUEUE = 10_000;

function sortKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortKeys);
  if (value !== null && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const key of Object.keys(value).sort()) out[key] = sortKeys((value as Record<string, unknown>)[key]);
    return out;
  }
  return value;
}

export const frame = (message: Message): string => JSON.stringify(sortKeys(message));

const ping = (): Message => ({ action: 'ping', event: { cpu_usage_percent: cpuUsagePercent(), memory_usage_percent: memoryUsagePercent() } });

export class Listener {
  readonly #queue: Message[] = [ping()];
  #wake?: () => void;
  closed = false;
  readonly #onClose: () => void;

  constructor(onClose: () => void) {
    this.#onClose = onClose;
  }

  push(message: Message): void {
    if (this.closed) return;
    if (this.#queue.length >= MAX_QUEUE) return this.close();
    this.#queue.push(message);
    this.#wake?.();
  }

  /** Next message, a ping after 5 s idle, or undefined once closed. */
  async next(): Promise<Message | undefined> {
    if (this.#queue.length === 0 && !this.closed) {
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, IDLE_PING_MS);
        this.#wake = () => {
          clearTimeout(timer);
          resolve();
        };
      });
      this.#wake = undefined;
    }
    if (this.closed) return undefined;
    return this.#queue.shift() ?? ping();
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.#wake?.();
    this.#onClose();
  }
}

export class NotificationHub {
  readonly #controller = new Set<Listener>();
  readonly #projects = new Map<string, Set<Listener>>();
  /** Called when a project listener goes away, with how many remain (auto-close hooks in here). */
  onProjectListenerGone: (projectId: string, remaining: number) => void = () => {};

  listenController(): Listener {
    const listener: Listener = new Listener(() => this.#controller.delete(listener));
    this.#controller.add(listener);
    return listener;
  }

  listenProject(projectId: string): Listener {
    let set = this.#projects.get(projectId);
    if (!set) this.#projects.set(projectId, (set = new Set()));
    const listeners = set;
    const listener: Listener = new Listener(() => {
      listeners.delete(listener);
      if (listeners.size === 0) this.#projects.delete(projectId);
      this.onProjectListenerGone(projectId, listeners.size);
    });
    listeners.add(listener);
    return listener;
  }

  projectListeners(projectId: string): number {
    return this.#projects.get(projectId)?.size ?? 0;
  }

  controller(action: string, event: unknown): void {
    for (const listener of this.#controller) listener.push({ action, event });
  }

  project(projectId: string, action: string, event: unknown): void {
    for (const listener of this.#projects.get(projectId) ?? []) listener.push({ action, event });
  }

  allProjects(action: string, event: unknown): void {
    for (const set of this.#projects.values()) for (const listener of set) listener.push({ action, event });
  }

  closeAll(): void {
    for (const listener of [...this.#controller]) listener.close();
    for (const set of [...this.#projects.values()]) for (const listener of [...set]) listener.close();
  }
}
