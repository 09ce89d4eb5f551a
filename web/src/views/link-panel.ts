/** The selected link: its ends, packet filters (editor built from the link's available filters), capture. */
import { api, type Json } from '../api.ts';
import { field, h } from '../dom.ts';
import type { TopologyMap } from '../map.ts';
import { attempt } from '../messages.ts';

export function linkPanel(base: string, link: Json, map: TopologyMap): HTMLElement {
  const path = `${base}/links/${link.link_id}`;
  const ends = (link.nodes as Json[]).map((end) => `${map.node(end.node_id)?.name ?? '?'} ${end.label?.text ?? `${end.adapter_number}/${end.port_number}`}`);
  const filters = h('form', { class: 'filters', 'aria-label': 'Link filters' }, h('p', { class: 'muted' }, 'Loading filters…'));
  void attempt(async () => {
    const available = await api.get<Json[]>(`${path}/available_filters`);
    const inputs: Array<{ type: string; input: HTMLInputElement }[]> = [];
    const fieldsets = available.map((filter) => {
      const current = (link.filters?.[filter.type] ?? []) as number[];
      const row = (filter.parameters as Json[]).map((parameter, i) => {
        const input = h('input', { type: 'number', min: parameter.minimum, max: parameter.maximum, value: String(current[i] ?? 0), name: `${filter.type}-${i}` });
        return { type: filter.type as string, input, label: `${parameter.name}${parameter.unit ? ` (${parameter.unit})` : ''}` };
      });
      inputs.push(row);
      return h('fieldset', {}, h('legend', { title: filter.description }, filter.name), ...row.map((r) => field(r.label, r.input)));
    });
    filters.replaceChildren(...fieldsets, h('button', { type: 'submit' }, 'Apply filters'));
    filters.onsubmit = (event) => {
      event.preventDefault();
      const chosen: Record<string, number[]> = {};
      for (const row of inputs) {
        const values = row.map((r) => Number(r.input.value));
        if (values.some((value) => value !== 0)) chosen[row[0].type] = values;
      }
      void attempt(() => api.put(path, { filters: chosen }));
    };
  });
  const capture = link.capturing
    ? [h('button', { type: 'button', onclick: () => attempt(() => api.post(`${path}/stop_capture`)) }, 'Stop capture'),
      h('a', { class: 'button', href: api.url(`${path}/pcap`), download: link.capture_file_name ?? 'capture.pcap' }, 'Download pcap')]
    : [h('button', { type: 'button', onclick: () => attempt(() => api.post(`${path}/start_capture`, { data_link_type: 'DLT_EN10MB' })) }, 'Start capture')];
  return h('section', { class: 'link-panel', 'aria-label': 'Selected link' },
    h('h2', {}, 'Link'),
    h('p', {}, `${ends[0]} ↔ ${ends[1]}`),
    h('div', { class: 'row' }, ...capture,
      h('button', { type: 'button', onclick: () => attempt(() => api.put(path, { suspend: !link.suspend })) }, link.suspend ? 'Resume' : 'Suspend')),
    filters);
}
