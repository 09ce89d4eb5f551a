/** Computes (agents) with their load, updated live from the controller notification stream. */
import { api, type Json } from '../api.ts';
import { h } from '../dom.ts';
import { NotificationStream } from '../notifications.ts';

const percent = (value: unknown) => (typeof value === 'number' ? `${value.toFixed(1)} %` : '–');

/** A live table of computes; returns a function that stops the updates. */
export function computesTable(): { element: HTMLElement; stop(): void; ready: Promise<void> } {
  const rows = new Map<string, HTMLTableRowElement>();
  const body = h('tbody');
  const draw = (compute: Json) => {
    const row = h('tr', { 'data-compute-id': compute.compute_id },
      h('td', { title: `${compute.protocol}://${compute.host}:${compute.port}` }, `${compute.name} (${compute.compute_id})`),
      h('td', {}, compute.connected ? 'connected' : `disconnected${compute.last_error ? ` (${compute.last_error})` : ''}`),
      h('td', { class: 'cpu' }, percent(compute.cpu_usage_percent)),
      h('td', { class: 'memory' }, percent(compute.memory_usage_percent)),
    );
    const old = rows.get(compute.compute_id);
    if (old) old.replaceWith(row);
    else body.append(row);
    rows.set(compute.compute_id, row);
  };
  const ready = api.get<Json[]>('/computes').then((computes) => computes.forEach(draw));
  const stream = new NotificationStream(api.wsUrl('/notifications/ws'), ({ action, event }) => {
    if (action === 'compute.created' || action === 'compute.updated') draw(event);
    else if (action === 'compute.deleted') {
      rows.get(event.compute_id)?.remove();
      rows.delete(event.compute_id);
    }
  });
  const element = h('table', { class: 'list', 'aria-label': 'Computes' },
    h('thead', {}, h('tr', {}, h('th', {}, 'Compute'), h('th', {}, 'State'), h('th', {}, 'CPU'), h('th', {}, 'Memory'))),
    body);
  return { element, stop: () => stream.close(), ready };
}

export async function computesView(view: HTMLElement): Promise<() => void> {
  const table = computesTable();
  view.replaceChildren(h('h1', {}, 'Computes'), table.element);
  await table.ready;
  return table.stop;
}
