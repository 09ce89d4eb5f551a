/** A notification WebSocket (`{"action", "event"}` frames) that reconnects after a drop until it is closed. */
import type { Json } from './api.ts';

export type Notification = { action: string; event: Json };

export class NotificationStream {
  #socket?: WebSocket;
  #closed = false;
  #retry?: ReturnType<typeof setTimeout>;

  constructor(private readonly url: string, private readonly onMessage: (message: Notification) => void, private readonly onReconnect?: () => void) {
    this.#connect(false);
  }

  #connect(again: boolean): void {
    const socket = new WebSocket(this.url);
    this.#socket = socket;
    socket.onopen = () => {
      if (again) this.onReconnect?.();
    };
    socket.onmessage = (event) => {
      if (typeof event.data === 'string') this.onMessage(JSON.parse(event.data));
    };
    socket.onclose = () => {
      if (!this.#closed) this.#retry = setTimeout(() => this.#connect(true), 1000);
    };
  }

  close(): void {
    this.#closed = true;
    clearTimeout(this.#retry);
    this.#socket?.close();
  }
}
