/**
 * A notification listener served to a client, as a chunked HTTP stream (one JSON object per line) or as a WebSocket
 * (one text frame per message), until the client goes away. Both API versions use it; v3 passes `shown` to re-shape
 * or drop messages as 3.0 sends them.
 */
import type { Context } from 'hono';
import type { WSEvents } from 'hono/ws';
import { frame, type Listener, type Message } from '../controller/notification-hub.ts';
import type { Runtime } from '../runtime/types.ts';
import { fail } from '../errors/index.ts';

/** What a client is sent for one hub message (none, one or several messages). */
export type Shown = (message: Message) => Message[];
const asIs: Shown = (message) => [message];

async function* frames(listener: Listener, shown: Shown): AsyncGenerator<string> {
  for (let message = await listener.next(); message; message = await listener.next()) {
    for (const sent of shown(message)) yield frame(sent);
  }
}

export function httpStream(listener: Listener, shown: Shown = asIs): Response {
  const encoder = new TextEncoder();
  const source = frames(listener, shown);
  const stream = new ReadableStream<Uint8Array>({
    async pull(controller) {
      const next = await source.next();
      if (next.done) return controller.close();
      controller.enqueue(encoder.encode(next.value + '\n'));
    },
    cancel() {
      listener.close();
    },
  });
  return new Response(stream, { headers: { 'Content-Type': 'application/json', 'Cache-Control': 'no-cache' } });
}

/** Upgrades to a WebSocket with `events`; a request without an Upgrade header answers 400 (as aiohttp) instead of 500. */
export async function upgraded(runtime: Runtime, c: Context, events: () => WSEvents): Promise<Response> {
  const response = await runtime.upgradeWebSocket(events)(c, async () => {});
  if (!response) throw fail('NOT_A_WEBSOCKET');
  return response;
}

/** A WebSocket fed by the listener `open()` makes once the socket is open. */
export function socketStream(runtime: Runtime, c: Context, open: () => Listener, shown: Shown = asIs): Promise<Response> {
  return upgraded(runtime, c, () => {
    let listener: Listener | undefined;
    return {
      onOpen(_event, ws) {
        const current = (listener = open());
        void (async () => {
          for await (const text of frames(current, shown)) {
            try {
              ws.send(text);
            } catch {
              current.close();
            }
          }
        })();
      },
      onClose() {
        listener?.close();
      },
      onError() {
        listener?.close();
      },
    };
  });
}
