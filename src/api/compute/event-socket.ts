/** The compute notification WebSocket of both API versions: every compute event, and pings while nothing happens. */
import type { WSEvents } from 'hono/ws';
import type { Notification, Notifier } from '../../compute/notifier.ts';

/**
 * Events of `notifier` as JSON text frames; `ping()` at once and whenever `idleMs` passes without an event
 * (GNS3 2.2: 1 s, 3.0: 5 s).
 * @example app.get('/notifications/ws', runtime.upgradeWebSocket(eventSocket(compute.notifier, pingEvent, 1000)))
 */
export function eventSocket(notifier: Notifier, ping: () => Notification, idleMs: number): () => WSEvents {
  return () => {
    let unsubscribe = () => {};
    let timer: ReturnType<typeof setInterval> | undefined;
    return {
      onOpen(_event, ws) {
        let quiet = true;
        const send = (n: Notification) => ws.send(JSON.stringify(n));
        send(ping());
        unsubscribe = notifier.subscribe((n) => {
          quiet = false;
          send(n);
        });
        timer = setInterval(() => {
          if (quiet) send(ping());
          quiet = true;
        }, idleMs);
      },
      onClose() {
        clearInterval(timer);
        unsubscribe();
      },
    };
  };
}
