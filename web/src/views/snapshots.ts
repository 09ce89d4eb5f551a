/** Snapshots of the open project: list, take, restore, delete. */
import { api, type Json } from '../api.ts';
import { field, h } from '../dom.ts';
import { actionForm, attempt, showMessage } from '../messages.ts';

export function snapshotsPanel(base: string, restored: () => void): HTMLElement {
  const list = h('ul', { class: 'snapshots' });
  const refresh = async () => {
    const snapshots = await api.get<Json[]>(`${base}/snapshots`);
    list.replaceChildren(...snapshots.map((snapshot) => h('li', {},
      `${snapshot.name} (${new Date(snapshot.created_at * 1000).toLocaleString()}) `,
      h('button', { type: 'button', 'aria-label': `Restore snapshot ${snapshot.name}`, onclick: () => attempt(async () => {
        await api.post(`${base}/snapshots/${snapshot.snapshot_id}/restore`);
        showMessage(`Restored ${snapshot.name}`);
        restored();
      }) }, 'Restore'),
      h('button', { type: 'button', 'aria-label': `Delete snapshot ${snapshot.name}`, onclick: () => attempt(async () => {
        await api.delete(`${base}/snapshots/${snapshot.snapshot_id}`);
        await refresh();
      }) }, 'Delete'))));
  };
  const name = h('input', { name: 'snapshot', required: true, autocomplete: 'off' });
  const panel = h('details', { class: 'snapshots-panel' },
    h('summary', {}, 'Snapshots'),
    actionForm({ class: 'inline' }, async () => {
      await api.post(`${base}/snapshots`, { name: name.value.trim() });
      name.value = '';
      await refresh();
    }, field('Snapshot name', name), h('button', { type: 'submit' }, 'Take snapshot')),
    list);
  panel.addEventListener('toggle', () => {
    if (panel.open) void attempt(refresh);
  });
  return panel;
}
