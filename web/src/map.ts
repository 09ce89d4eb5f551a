/**
 * The topology map: one SVG, written by hand rather than with a graph library. A GNS3 map is a few hundred
 * positioned symbols and straight links with no layout to compute, which SVG draws natively; plain elements keep the
 * map keyboard-focusable and labelled for screen readers, and cost no dependency. Elements are kept by id, so a
 * notification updates one node or link instead of redrawing everything.
 */
import type { Json } from './api.ts';
import { s } from './dom.ts';

export type MapHandlers = {
  /** A node was dragged (or moved with the arrow keys) to a new position: save it. */
  move(nodeId: string, x: number, y: number): void;
  /** Selection changed (click, Enter/Space; Ctrl/Shift adds). */
  select(kind: 'node' | 'link', id: string, additive: boolean): void;
  /** Double click on a node: its console. */
  activate(nodeId: string): void;
  /** Delete key on a focused element: delete the selection, or that element when it is not selected. */
  remove(id: string): void;
};

type Drawn = { data: Json; element: SVGGElement };

const STATUS_LABEL: Record<string, string> = { started: 'started', stopped: 'stopped', suspended: 'suspended' };

export class TopologyMap {
  readonly svg: SVGSVGElement;
  readonly #links = s('g', { class: 'links' });
  readonly #nodes = s('g', { class: 'nodes' });
  readonly #nodeMap = new Map<string, Drawn>();
  readonly #linkMap = new Map<string, Drawn>();
  readonly #selected = new Set<string>();

  constructor(private readonly symbolUrl: (symbol: string) => string, private readonly handlers: MapHandlers) {
    this.svg = s('svg', { class: 'map', role: 'group', 'aria-label': 'Topology map' }, this.#links, this.#nodes);
  }

  get nodeCount(): number {
    return this.#nodeMap.size;
  }

  /** Replaces everything (opening a project): built off-document in one fragment, then attached once. */
  load(nodes: Json[], links: Json[]): void {
    this.#nodeMap.clear();
    this.#linkMap.clear();
    const nodeFragment = document.createDocumentFragment();
    for (const node of nodes) {
      const drawn = { data: node, element: this.#drawNode(node) };
      this.#nodeMap.set(node.node_id, drawn);
      nodeFragment.append(drawn.element);
    }
    const linkFragment = document.createDocumentFragment();
    for (const link of links) {
      const drawn = { data: link, element: this.#drawLink(link) };
      this.#linkMap.set(link.link_id, drawn);
      linkFragment.append(drawn.element);
    }
    this.#nodes.replaceChildren(nodeFragment);
    this.#links.replaceChildren(linkFragment);
    this.fit();
  }

  /** Frames every node, with a margin; GNS3 scenes are centred on (0, 0). */
  fit(): void {
    let [minX, minY, maxX, maxY] = [-300, -200, 300, 200];
    for (const { data } of this.#nodeMap.values()) {
      minX = Math.min(minX, data.x - 20);
      minY = Math.min(minY, data.y - 30);
      maxX = Math.max(maxX, data.x + (data.width ?? 60) + 20);
      maxY = Math.max(maxY, data.y + (data.height ?? 60) + 40);
    }
    this.svg.setAttribute('viewBox', `${minX - 40} ${minY - 40} ${maxX - minX + 80} ${maxY - minY + 80}`);
  }

  node(id: string): Json | undefined {
    return this.#nodeMap.get(id)?.data;
  }

  link(id: string): Json | undefined {
    return this.#linkMap.get(id)?.data;
  }

  upsertNode(node: Json): void {
    const added = this.#put(this.#nodeMap, this.#nodes, node.node_id, node, this.#drawNode(node));
    if (added) this.fit();
    this.#redrawLinksOf(node.node_id);
  }

  removeNode(id: string): void {
    this.#forget(this.#nodeMap, id);
  }

  upsertLink(link: Json): void {
    this.#put(this.#linkMap, this.#links, link.link_id, link, this.#drawLink(link));
  }

  removeLink(id: string): void {
    this.#forget(this.#linkMap, id);
  }

  /** Puts a freshly drawn item in place of its old element, or last in its layer; true when it is new. */
  #put(drawn: Map<string, Drawn>, layer: SVGGElement, id: string, data: Json, element: SVGGElement): boolean {
    const old = drawn.get(id);
    if (old) old.element.replaceWith(element);
    else layer.append(element);
    drawn.set(id, { data, element });
    return !old;
  }

  #forget(drawn: Map<string, Drawn>, id: string): void {
    drawn.get(id)?.element.remove();
    drawn.delete(id);
    this.#selected.delete(id);
  }

  /** Links follow their nodes: redraws those ending on `nodeId`. */
  #redrawLinksOf(nodeId: string): void {
    for (const link of this.#linkMap.values()) if (link.data.nodes.some((end: Json) => end.node_id === nodeId)) this.upsertLink(link.data);
  }

  setSelection(ids: Iterable<string>): void {
    this.#selected.clear();
    for (const id of ids) this.#selected.add(id);
    for (const [id, { element }] of [...this.#nodeMap, ...this.#linkMap]) {
      element.classList.toggle('selected', this.#selected.has(id));
      element.setAttribute('aria-pressed', String(this.#selected.has(id)));
    }
  }

  #centre(nodeId: string): [number, number] | undefined {
    const node = this.#nodeMap.get(nodeId)?.data;
    return node ? [node.x + (node.width ?? 60) / 2, node.y + (node.height ?? 60) / 2] : undefined;
  }

  #drawNode(node: Json): SVGGElement {
    const status = STATUS_LABEL[node.status] ?? node.status;
    const label = node.label ?? {};
    const group = s(
      'g',
      {
        class: `node ${node.status}${this.#selected.has(node.node_id) ? ' selected' : ''}`,
        'data-node-id': node.node_id,
        'data-name': node.name,
        transform: `translate(${node.x} ${node.y})`,
        tabindex: 0,
        role: 'button',
        'aria-pressed': String(this.#selected.has(node.node_id)),
        'aria-label': `${node.name}, ${node.node_type}, ${status}`,
      },
      s('title', {}, `${node.name} (${node.node_type}, ${status}) on ${node.compute_id}`),
      s('rect', { class: 'halo', x: -4, y: -4, width: (node.width ?? 60) + 8, height: (node.height ?? 60) + 8, rx: 6 }),
      s('image', { href: this.symbolUrl(node.symbol), width: node.width ?? 60, height: node.height ?? 60 }),
      s('circle', { class: 'status', cx: -2, cy: -2, r: 6 }),
      s('text', { class: 'label', x: label.x ?? 0, y: (label.y ?? -10) + 10 }, label.text ?? node.name),
    );
    this.#interact(group, node);
    return group;
  }

  #drawLink(link: Json): SVGGElement {
    const [a, b] = link.nodes as Json[];
    const from = a && this.#centre(a.node_id);
    const to = b && this.#centre(b.node_id);
    const classes = ['link', link.suspend ? 'suspended' : '', link.capturing ? 'capturing' : '', this.#selected.has(link.link_id) ? 'selected' : ''];
    const group = s('g', {
      class: classes.filter(Boolean).join(' '),
      'data-link-id': link.link_id,
      tabindex: 0,
      role: 'button',
      'aria-pressed': String(this.#selected.has(link.link_id)),
    });
    if (!from || !to) return group;
    const names = [a, b].map((end) => end.label?.text ?? this.#portName(end));
    const nodeNames = [a, b].map((end) => this.#nodeMap.get(end.node_id)?.data.name ?? '?');
    const filters = Object.keys(link.filters ?? {});
    group.setAttribute('aria-label', `Link ${nodeNames[0]} ${names[0]} to ${nodeNames[1]} ${names[1]}${link.capturing ? ', capturing' : ''}${filters.length ? `, filters ${filters.join(' ')}` : ''}`);
    const at = (t: number): [number, number] => [from[0] + (to[0] - from[0]) * t, from[1] + (to[1] - from[1]) * t];
    const [mx, my] = at(0.5);
    group.append(
      s('line', { class: 'hit', x1: from[0], y1: from[1], x2: to[0], y2: to[1] }),
      s('line', { class: 'wire', x1: from[0], y1: from[1], x2: to[0], y2: to[1] }),
      s('text', { class: 'port', x: at(0.22)[0], y: at(0.22)[1] }, names[0]),
      s('text', { class: 'port', x: at(0.78)[0], y: at(0.78)[1] }, names[1]),
    );
    if (filters.length) group.append(s('rect', { class: 'filter-marker', x: mx - 14, y: my - 5, width: 10, height: 10 }, s('title', {}, `filters: ${filters.join(', ')}`)));
    if (link.capturing) group.append(s('circle', { class: 'capture-marker', cx: mx + 6, cy: my, r: 6 }, s('title', {}, 'capturing')));
    group.addEventListener('click', (event) => this.handlers.select('link', link.link_id, event.ctrlKey || event.metaKey || event.shiftKey));
    group.addEventListener('keydown', (event) => this.#keys(event, 'link', link.link_id));
    return group;
  }

  #portName(end: Json): string {
    const node = this.#nodeMap.get(end.node_id)?.data;
    const port = (node?.ports as Json[] | undefined)?.find((p) => p.adapter_number === end.adapter_number && p.port_number === end.port_number);
    return port?.short_name ?? port?.name ?? `${end.adapter_number}/${end.port_number}`;
  }

  #keys(event: KeyboardEvent, kind: 'node' | 'link', id: string): void {
    if (event.key === 'Enter' || event.key === ' ') {
      event.preventDefault();
      this.handlers.select(kind, id, event.ctrlKey || event.shiftKey);
    } else if (event.key === 'Delete') {
      this.handlers.remove(id);
    } else if (kind === 'node' && event.key.startsWith('Arrow')) {
      event.preventDefault();
      const node = this.#nodeMap.get(id)!.data;
      const [dx, dy] = ({ ArrowLeft: [-10, 0], ArrowRight: [10, 0], ArrowUp: [0, -10], ArrowDown: [0, 10] } as Record<string, number[]>)[event.key];
      this.handlers.move(id, node.x + dx, node.y + dy);
    }
  }

  /** Click selects, drag moves (saved on release), double click opens the console. */
  #interact(group: SVGGElement, node: Json): void {
    group.addEventListener('keydown', (event) => this.#keys(event, 'node', node.node_id));
    group.addEventListener('dblclick', () => this.handlers.activate(node.node_id));
    group.addEventListener('pointerdown', (event) => {
      if (event.button !== 0) return;
      const matrix = this.svg.getScreenCTM()?.inverse();
      if (!matrix) return;
      const toMap = (e: PointerEvent) => new DOMPoint(e.clientX, e.clientY).matrixTransform(matrix);
      const start = toMap(event);
      let moved = false;
      let [x, y] = [node.x, node.y];
      group.setPointerCapture(event.pointerId);
      const onMove = (e: PointerEvent) => {
        const point = toMap(e);
        if (!moved && Math.hypot(point.x - start.x, point.y - start.y) < 3) return;
        moved = true;
        [x, y] = [Math.round(node.x + point.x - start.x), Math.round(node.y + point.y - start.y)];
        group.setAttribute('transform', `translate(${x} ${y})`);
        const drawn = this.#nodeMap.get(node.node_id);
        if (drawn) {
          drawn.data = { ...drawn.data, x, y };
          this.#redrawLinksOf(node.node_id);
        }
      };
      const onUp = (e: PointerEvent) => {
        group.removeEventListener('pointermove', onMove);
        group.removeEventListener('pointerup', onUp);
        if (moved) this.handlers.move(node.node_id, x, y);
        else this.handlers.select('node', node.node_id, e.ctrlKey || e.metaKey || e.shiftKey);
      };
      group.addEventListener('pointermove', onMove);
      group.addEventListener('pointerup', onUp);
    });
  }
}
