/** Fan-out of compute notifications (`node.updated`, `log.*`, ...) to every subscriber. */

export type Notification = { action: string; event: unknown; project_id?: string };
export type Listener = (notification: Notification) => void;

export class Notifier {
  readonly #listeners = new Set<Listener>();

  subscribe(listener: Listener): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  emit(notification: Notification): void {
    for (const listener of this.#listeners) {
      try {
        listener(notification);
      } catch {
        // A broken subscriber (e.g. a closed socket) must not stop delivery to the others.
      }
    }
  }

  get size(): number {
    return this.#listeners.size;
  }
}
