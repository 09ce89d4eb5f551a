/** A link is a UDP tunnel between two node ports, possibly on two computes: ports allocated, then NIOs, both sides at once. */
import { FILTER_CAPABLE_TYPES, activeFilters, type LinkFilters } from './filters.ts';
import { ALWAYS_RUNNING, type Node } from './node.ts';
import type { ControllerProject } from './project.ts';
import type { TopologyLink } from './topology.ts';
import { fail, isError } from '../errors/index.ts';

export type LinkEndInput = { node_id: string; adapter_number: number; port_number: number; label?: Record<string, unknown> };
export type LinkEnd = { node: Node; adapter_number: number; port_number: number; label: Record<string, unknown> };

const DEFAULT_LABEL_STYLE = 'font-family: TypeWriter;font-size: 10.0;font-weight: bold;fill: #000000;fill-opacity: 1.0;';
const escapeHtml = (text: string) => text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&#x27;');

type Nio = { lport: number; rhost: string; rport: number };

export class Link {
  readonly project: ControllerProject;
  readonly link_id: string;
  ends: LinkEnd[] = [];
  filters: LinkFilters = {};
  link_style: Record<string, unknown> = {};
  suspend = false;
  link_type: 'ethernet' | 'serial' = 'ethernet';
  capturing = false;
  capture_file_name: string | null = null;
  capture_file_path: string | null = null;
  captureEnd: LinkEnd | undefined;
  /** NIO of each end once realised, same order as `ends`. */
  #nios: Nio[] = [];

  constructor(project: ControllerProject, linkId: string) {
    this.project = project;
    this.link_id = linkId;
  }

  get created(): boolean {
    return this.#nios.length === 2;
  }

  /** Validates one end against its node's ports and the links already using them (GNS3's messages). */
  attach(input: LinkEndInput): void {
    const node = this.project.nodes.get(input.node_id);
    if (!node) throw fail('CONTROLLER_NODE_NOT_FOUND', input.node_id);
    const port = node.ports.find((p) => p.adapter_number === input.adapter_number && p.port_number === input.port_number);
    if (!port) throw fail('LINK_PORT_NOT_FOUND', input.adapter_number, input.port_number, node.name);
    for (const link of this.project.links.values()) {
      if (link === this) continue;
      if (link.ends.some((e) => e.node === node && e.adapter_number === input.adapter_number && e.port_number === input.port_number)) {
        throw fail('LINK_PORT_USED');
      }
    }
    const other = this.ends[0];
    if (other) {
      if (other.node === node) throw fail('LINK_TO_ITSELF');
      const cloudLike = (n: Node) => n.node_type === 'cloud' || n.node_type === 'nat';
      if (cloudLike(other.node) && cloudLike(node)) throw fail('LINK_CLOUD_TO_CLOUD');
      const otherPort = other.node.ports.find((p) => p.adapter_number === other.adapter_number && p.port_number === other.port_number);
      if (otherPort && otherPort.link_type !== port.link_type) {
        throw fail('LINK_TYPE_MISMATCH', otherPort.link_type, port.link_type);
      }
    }
    this.link_type = port.link_type;
    const label = input.label ?? { text: escapeHtml(`${input.adapter_number}/${input.port_number}`), style: DEFAULT_LABEL_STYLE };
    this.ends.push({ node, adapter_number: input.adapter_number, port_number: input.port_number, label });
  }

  #nioPath(end: LinkEnd): string {
    return `${end.node.path}/adapters/${end.adapter_number}/ports/${end.port_number}`;
  }

  /** The first end whose node type can filter gets the filters; the other gets none. */
  #filtersFor(index: number): LinkFilters {
    const filterIndex = this.ends.findIndex((e) => FILTER_CAPABLE_TYPES.has(e.node.node_type));
    return index === filterIndex ? activeFilters(this.filters, this.suspend) : {};
  }

  #nioBody(index: number): Record<string, unknown> {
    return { type: 'nio_udp', ...this.#nios[index], filters: this.#filtersFor(index), suspend: this.suspend };
  }

  /** Allocates a UDP port on each side in parallel, then creates both NIOs in parallel; undoes a half-made tunnel. */
  async realize(): Promise<void> {
    const [a, b] = this.ends;
    await Promise.all([this.project.ensureOnCompute(a.node.compute), this.project.ensureOnCompute(b.node.compute)]);
    const allocate = async (end: LinkEnd) =>
      ((await end.node.compute.query('POST', `/projects/${this.project.id}/ports/udp`, undefined)) as { udp_port: number }).udp_port;
    const [portA, portB] = await Promise.all([allocate(a), allocate(b)]);
    this.#nios = [
      { lport: portA, rhost: b.node.compute.linkHost, rport: portB },
      { lport: portB, rhost: a.node.compute.linkHost, rport: portA },
    ];
    const results = await Promise.allSettled(this.ends.map((end, i) => end.node.compute.query('POST', `${this.#nioPath(end)}/nio`, this.#nioBody(i))));
    const failure = results.find((r) => r.status === 'rejected');
    if (failure) {
      await Promise.all(
        results.map((r, i) => (r.status === 'fulfilled' ? this.#deleteNio(this.ends[i]) : Promise.resolve())),
      );
      this.#nios = [];
      throw (failure as PromiseRejectedResult).reason;
    }
  }

  async #deleteNio(end: LinkEnd): Promise<void> {
    try {
      await end.node.compute.query('DELETE', `${this.#nioPath(end)}/nio`, undefined, { dontConnect: true });
    } catch (err) {
      // Gone already, or its compute is away (it drops its NIOs when it comes back without the project).
      if (isError(err, 'COMPUTE_ANSWERED_NOT_FOUND') || (isError(err) && !end.node.compute.connected)) return;
      throw err;
    }
  }

  /** Pushes filters/suspend to both sides (hubs and switches take no NIO update, as in GNS3). */
  async pushUpdate(): Promise<void> {
    if (!this.created) return;
    await Promise.all(
      this.ends.map((end, i) =>
        end.node.node_type === 'ethernet_hub' || end.node.node_type === 'ethernet_switch'
          ? Promise.resolve()
          : end.node.compute.query('PUT', `${this.#nioPath(end)}/nio`, this.#nioBody(i)),
      ),
    );
  }

  /** Removes both NIOs (404s and unreachable computes tolerated). */
  async unrealize(): Promise<void> {
    if (this.capturing) await this.stopCapture().catch(() => {});
    if (!this.created) return;
    const ends = this.ends;
    this.#nios = [];
    await Promise.allSettled(ends.map((end) => this.#deleteNio(end)));
  }

  /** Picks the side to capture on as GNS3 does: always-running on local, always-running, running on local, running. */
  #captureSide(): LinkEnd {
    const started = this.ends.filter((e) => e.node.status === 'started');
    const pick =
      started.find((e) => e.node.compute.id === 'local' && ALWAYS_RUNNING.has(e.node.node_type)) ??
      started.find((e) => ALWAYS_RUNNING.has(e.node.node_type)) ??
      started.find((e) => e.node.compute.id === 'local') ??
      started[0];
    if (!pick) throw fail('LINK_NO_CAPTURE_DEVICE');
    return pick;
  }

  defaultCaptureName(): string {
    const part = (e: LinkEnd) => `${e.node.name}_${e.adapter_number}-${e.port_number}`;
    return `${part(this.ends[0])}_to_${part(this.ends[1])}`.replace(/[^0-9A-Za-z_-]/g, '') + '.pcap';
  }

  async startCapture(fileName: string | undefined, dataLinkType: string): Promise<void> {
    const end = this.#captureSide();
    const name = fileName ?? this.defaultCaptureName();
    await end.node.compute.query('POST', `${this.#nioPath(end)}/start_capture`, { capture_file_name: name, data_link_type: dataLinkType });
    this.capturing = true;
    this.captureEnd = end;
    this.capture_file_name = name;
    this.capture_file_path = `${this.project.path}/project-files/captures/${name}`;
  }

  async stopCapture(): Promise<void> {
    const end = this.captureEnd;
    this.capturing = false;
    this.captureEnd = undefined;
    if (end) await end.node.compute.query('POST', `${this.#nioPath(end)}/stop_capture`, undefined, { dontConnect: true });
  }

  /** Stream of the capture file from the capturing compute. */
  async pcap(signal?: AbortSignal): Promise<Response> {
    const end = this.captureEnd;
    if (!this.capturing || !end) throw fail('LINK_NO_CAPTURE');
    return end.node.compute.fetch('GET', `${this.#nioPath(end)}/pcap`, { timeoutMs: 0x7fffffff, signal });
  }

  toJSON(): Record<string, unknown> {
    return {
      link_id: this.link_id,
      project_id: this.project.id,
      nodes: this.#endsJSON(),
      capturing: this.capturing,
      capture_file_name: this.capture_file_name,
      capture_file_path: this.capture_file_path,
      capture_compute_id: this.captureEnd?.node.compute.id ?? null,
      link_type: this.link_type,
      filters: this.filters,
      link_style: this.link_style,
      suspend: this.suspend,
    };
  }

  #endsJSON() {
    return this.ends.map((e) => ({ node_id: e.node.node_id, adapter_number: e.adapter_number, port_number: e.port_number, label: e.label }));
  }

  toTopology(): TopologyLink {
    return { link_id: this.link_id, nodes: this.#endsJSON(), filters: this.filters, link_style: this.link_style, suspend: this.suspend };
  }
}
