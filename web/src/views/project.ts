/**
 * One project: the map, node and link actions, consoles, snapshots and computes, kept current by the project's
 * notification stream (no polling).
 */
import { api, type Json } from '../api.ts';
import type { ConsoleSession } from '../console.ts';
import { field, h } from '../dom.ts';
import { TopologyMap } from '../map.ts';
import { actionForm, attempt, showMessage } from '../messages.ts';
import { NotificationStream } from '../notifications.ts';
import { computesTable } from './computes.ts';
import { linkPanel } from './link-panel.ts';
import { snapshotsPanel } from './snapshots.ts';

/** Symbols are fetched once per distinct id before the first draw, so the map is complete when it appears. */
const symbolUrl = (symbol: string) => api.url(`/symbols/${symbol.split('/').map(encodeURIComponent).join('/')}/raw`);

export async function projectView(view: HTMLElement, projectId: string): Promise<() => void> {
  // Everything the view needs is requested at once: a 300-node project is mostly waiting on the network.
  const lists = Promise.all([api.get<Json[]>('/templates'), api.get<Json[]>('/computes')]);
  let project: Json = await api.get(`/projects/${projectId}`);
  if (project.status !== 'opened') project = await api.post(`/projects/${projectId}/open`);
  const base = `/projects/${projectId}`;
  const fetchTopology = async () => {
    const [nodes, links] = await Promise.all([api.get<Json[]>(`${base}/nodes`), api.get<Json[]>(`${base}/links`)]);
    const symbols = [...new Set(nodes.map((node) => node.symbol as string))];
    await Promise.all(symbols.map((symbol) => {
      const image = new Image();
      image.src = symbolUrl(symbol);
      return image.decode().catch(() => showMessage(`Cannot load symbol ${symbol}`, 'error'));
    }));
    // With map-complete below, splits the time to a map between the server (and network) and the drawing.
    performance.mark('patchbay:topology-received');
    return { nodes, links };
  };
  const topology = fetchTopology();
  // Awaited further down; until then a failure must not also surface as an unhandled rejection (shown twice).
  for (const pending of [lists, topology]) pending.catch(() => {});
  const selection = new Set<string>();
  const consoles = new Map<string, { session: ConsoleSession; section: HTMLElement }>();
  const cleanups: Array<() => void> = [];

  const title = h('h1', {}, project.name);
  const nodeRows = h('tbody');
  const side = h('div', { class: 'side-detail' });
  const consoleDock = h('section', { class: 'consoles', 'aria-label': 'Consoles' });

  const map = new TopologyMap(symbolUrl, {
    move: (nodeId, x, y) => void attempt(() => api.put(`${base}/nodes/${nodeId}`, { x, y })),
    select: (kind, id, additive) => select(kind, id, additive),
    activate: (nodeId) => void attempt(() => showConsole(nodeId)),
    remove: (id) => {
      if (!selection.has(id)) select(map.node(id) ? 'node' : 'link', id, false);
      void attempt(removeSelected);
    },
  });

  // ---- selection and the side panel ----
  let linkPicking: ((nodeId: string) => void) | undefined;
  function select(kind: 'node' | 'link', id: string, additive: boolean): void {
    if (kind === 'node' && linkPicking) return linkPicking(id);
    if (!additive) selection.clear();
    if (additive && selection.has(id)) selection.delete(id);
    else selection.add(id);
    refreshSelection();
  }
  function refreshSelection(): void {
    map.setSelection(selection);
    for (const box of nodeRows.querySelectorAll<HTMLInputElement>('input[type=checkbox]')) box.checked = selection.has(box.value);
    const links = [...selection].map((id) => map.link(id)).filter(Boolean) as Json[];
    side.replaceChildren(...(links.length === 1 ? [linkPanel(base, links[0], map)] : []));
    for (const button of selectionButtons) button.disabled = selection.size === 0;
  }
  const selectedNodes = () => [...selection].filter((id) => map.node(id));

  // ---- nodes table (the map's accessible twin) ----
  const drawRows = () => {
    const nodes = [...document.querySelectorAll<SVGGElement>('.map .node')].map((g) => map.node(g.dataset.nodeId!)!).sort((a, b) => a.name.localeCompare(b.name, undefined, { numeric: true }));
    nodeRows.replaceChildren(...nodes.map((node) => h('tr', { 'data-node-id': node.node_id },
      h('td', {}, h('input', { type: 'checkbox', value: node.node_id, checked: selection.has(node.node_id), 'aria-label': `Select ${node.name}`, onchange: () => select('node', node.node_id, true) })),
      h('td', {}, node.name),
      h('td', { class: `status ${node.status}` }, node.status),
      h('td', {}, node.compute_id),
      h('td', {}, node.console ? `${node.console_type} ${node.console_host}:${node.console}` : '–'),
    )));
  };
  let rowsPending = false;
  /** Many notifications in a burst (start all) redraw the table once. */
  const scheduleRows = () => {
    if (rowsPending) return;
    rowsPending = true;
    requestAnimationFrame(() => {
      rowsPending = false;
      drawRows();
    });
  };

  // ---- actions ----
  async function nodeAction(action: string, ids: string[]): Promise<void> {
    await Promise.all(ids.map((id) => api.post(`${base}/nodes/${id}/${action}`)));
  }
  async function removeSelected(): Promise<void> {
    const ids = [...selection];
    for (const id of ids) {
      if (map.link(id)) await api.delete(`${base}/links/${id}`);
      else if (map.node(id)) await api.delete(`${base}/nodes/${id}`);
      selection.delete(id);
    }
    refreshSelection();
  }
  async function showConsole(nodeId: string): Promise<void> {
    const node = map.node(nodeId)!;
    if (consoles.has(nodeId)) return consoles.get(nodeId)!.session.focus();
    if (node.status !== 'started') throw new Error(`${node.name} is ${node.status}: start it to use its console`);
    if (node.console_type === 'none' || !node.console) throw new Error(`${node.name} has no console`);
    const screen = h('div', { class: 'terminal', role: 'region', 'aria-label': `Console of ${node.name}` });
    const section = h('section', { class: 'console', 'data-node-id': nodeId },
      h('header', {}, h('h2', {}, `Console ${node.name}`), h('button', { type: 'button', 'aria-label': `Close console of ${node.name}`, onclick: () => closeConsole(nodeId) }, '×')),
      screen);
    consoleDock.append(section);
    const { openConsole } = await import('../console.ts');
    const session = openConsole(screen, api.wsUrl(`${base}/nodes/${nodeId}/console/ws`), (why) => {
      if (consoles.has(nodeId)) showMessage(`${node.name}: ${why}`);
    });
    consoles.set(nodeId, { session, section });
    session.focus();
  }
  function closeConsole(nodeId: string): void {
    const open = consoles.get(nodeId);
    consoles.delete(nodeId);
    open?.session.close();
    open?.section.remove();
  }

  const templateSelect = h('select', { name: 'template' });
  const computeSelect = h('select', { name: 'compute' });
  const [templates, computes] = await lists;
  templateSelect.append(...templates.sort((a, b) => a.name.localeCompare(b.name)).map((t) => h('option', { value: t.template_id }, t.name)));
  const vpcs = templates.find((t) => t.template_type === 'vpcs');
  if (vpcs) templateSelect.value = vpcs.template_id;
  computeSelect.append(...computes.map((c) => h('option', { value: c.compute_id }, c.name)));

  const addNode = async () => {
    const count = map.nodeCount;
    const template = templates.find((t) => t.template_id === templateSelect.value)!;
    await api.post(`${base}/templates/${template.template_id}`, {
      x: -300 + (count % 8) * 100,
      y: -200 + Math.floor(count / 8) * 110,
      compute_id: computeSelect.value,
    });
  };

  // ---- link form: pick two ports, by clicking the map or with the selects ----
  const linkForm = linkFormView(map, base, (picking) => (linkPicking = picking));

  const selectionButtons: HTMLButtonElement[] = [];
  const onSelection = (label: string, action: () => Promise<unknown>) => {
    const button = h('button', { type: 'button', disabled: true, onclick: () => attempt(action) }, label);
    selectionButtons.push(button);
    return button;
  };
  const all = (label: string, action: string) => h('button', { type: 'button', onclick: () => attempt(() => api.post(`${base}/nodes/${action}`)) }, label);

  const computesPanel = computesTable();
  cleanups.push(computesPanel.stop);

  const toolbar = h('div', { class: 'toolbar', role: 'toolbar', 'aria-label': 'Project actions' },
    h('div', { class: 'group' }, field('Template', templateSelect), field('Compute', computeSelect), h('button', { type: 'button', onclick: () => attempt(addNode) }, 'Add node')),
    h('div', { class: 'group' }, h('button', { type: 'button', onclick: () => linkForm.open() }, 'Add link')),
    h('div', { class: 'group', 'aria-label': 'All nodes' }, all('Start all', 'start'), all('Stop all', 'stop'), all('Suspend all', 'suspend'), all('Reload all', 'reload')),
    h('div', { class: 'group', 'aria-label': 'Selected' },
      onSelection('Start', () => nodeAction('start', selectedNodes())),
      onSelection('Stop', () => nodeAction('stop', selectedNodes())),
      onSelection('Suspend', () => nodeAction('suspend', selectedNodes())),
      onSelection('Reload', () => nodeAction('reload', selectedNodes())),
      onSelection('Console', async () => {
        for (const id of selectedNodes()) await showConsole(id);
      }),
      onSelection('Delete', removeSelected)),
  );

  view.replaceChildren(
    h('div', { class: 'project-head' }, h('a', { href: '#/' }, '← Projects'), title,
      h('button', { type: 'button', onclick: () => attempt(async () => {
        await api.post(`${base}/close`);
        location.hash = '#/';
      }) }, 'Close project')),
    toolbar,
    linkForm.element,
    h('div', { class: 'workspace' },
      h('div', { class: 'canvas' }, map.svg),
      h('aside', { class: 'side', 'aria-label': 'Details' },
        side,
        h('h2', {}, 'Nodes'),
        h('table', { class: 'list compact', 'aria-label': 'Nodes' }, h('thead', {}, h('tr', {}, h('th', {}, h('span', { class: 'visually-hidden' }, 'Selected')), h('th', {}, 'Name'), h('th', {}, 'Status'), h('th', {}, 'Compute'), h('th', {}, 'Console'))), nodeRows),
        snapshotsPanel(base, () => void reload()),
        h('h2', {}, 'Computes'),
        computesPanel.element,
      ),
    ),
    consoleDock,
  );

  // ---- live updates ----
  const apply = ({ action, event }: { action: string; event: Json }) => {
    if (event?.project_id !== undefined && event.project_id !== projectId) return;
    switch (action) {
      case 'node.created':
      case 'node.updated':
        map.upsertNode(event);
        if (event.status !== 'started' && consoles.has(event.node_id)) closeConsole(event.node_id);
        break;
      case 'node.deleted':
        map.removeNode(event.node_id);
        closeConsole(event.node_id);
        break;
      case 'link.created':
      case 'link.updated':
        map.upsertLink(event);
        if (selection.has(event.link_id)) refreshSelection();
        break;
      case 'link.deleted':
        map.removeLink(event.link_id);
        break;
      case 'project.updated':
        title.textContent = event.name;
        return;
      case 'project.closed':
        showMessage(`Project ${project.name} was closed`);
        location.hash = '#/';
        return;
      case 'snapshot.restored':
        void reload();
        return;
      default:
        return;
    }
    scheduleRows();
    linkForm.refresh();
  };
  const show = ({ nodes, links }: { nodes: Json[]; links: Json[] }) => {
    map.load(nodes, links);
    drawRows();
    linkForm.refresh();
  };
  const reload = async () => show(await fetchTopology());
  const stream = new NotificationStream(api.wsUrl(`${base}/notifications/ws`), apply, () => void attempt(reload));
  cleanups.push(() => stream.close());
  show(await topology);
  // Two frames: the first lays the map out, the second has painted it.
  await new Promise((resolve) => requestAnimationFrame(() => requestAnimationFrame(resolve)));
  performance.mark('patchbay:map-complete', { detail: { nodes: map.nodeCount } });
  map.svg.dataset.ready = 'true';

  return () => {
    for (const id of [...consoles.keys()]) closeConsole(id);
    for (const cleanup of cleanups) cleanup();
  };
}

/** The "Add link" form: node and port selects on both ends, filled by clicking nodes on the map while it is open. */
function linkFormView(map: TopologyMap, base: string, setPicking: (picking: ((nodeId: string) => void) | undefined) => void) {
  const ends = [0, 1].map((i) => ({
    node: h('select', { name: `node-${i}`, 'aria-label': `Node ${i === 0 ? 'A' : 'B'}` }),
    port: h('select', { name: `port-${i}`, 'aria-label': `Port ${i === 0 ? 'A' : 'B'}` }),
  }));
  let next = 0;
  const nodes = () => [...document.querySelectorAll<SVGGElement>('.map .node')].map((g) => map.node(g.dataset.nodeId!)!);
  const fillPorts = (i: number) => {
    const node = map.node(ends[i].node.value);
    const ports = (node?.ports ?? []) as Json[];
    const previous = ends[i].port.value;
    ends[i].port.replaceChildren(...ports.map((p) => h('option', { value: `${p.adapter_number}/${p.port_number}` }, p.name)));
    if (previous) ends[i].port.value = previous;
  };
  const refresh = () => {
    for (const [i, end] of ends.entries()) {
      const chosen = end.node.value;
      end.node.replaceChildren(h('option', { value: '' }, '—'), ...nodes().map((n) => h('option', { value: n.node_id }, n.name)));
      end.node.value = chosen;
      fillPorts(i);
    }
  };
  ends.forEach((end, i) => end.node.addEventListener('change', () => fillPorts(i)));
  const close = () => {
    element.hidden = true;
    setPicking(undefined);
  };
  const element = actionForm({ class: 'link-form', hidden: true, 'aria-label': 'New link' }, async () => {
    const body = ends.map((end) => {
      const [adapter, port] = end.port.value.split('/').map(Number);
      return { node_id: end.node.value, adapter_number: adapter, port_number: port };
    });
    await api.post(`${base}/links`, { nodes: body });
    close();
  },
  h('p', { class: 'muted' }, 'Click two nodes on the map, or choose them here.'),
  ...ends.map((end, i) => h('fieldset', {}, h('legend', {}, `End ${i === 0 ? 'A' : 'B'}`), end.node, end.port)),
  h('button', { type: 'submit' }, 'Create link'),
  h('button', { type: 'button', onclick: close }, 'Cancel'));
  return {
    element,
    refresh,
    open() {
      refresh();
      next = 0;
      element.hidden = false;
      setPicking((nodeId) => {
        ends[next].node.value = nodeId;
        fillPorts(next);
        next = (next + 1) % 2;
      });
      ends[0].node.focus();
    },
  };
}
