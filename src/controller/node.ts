/** A node as the controller keeps it: controller-only fields (position, label, symbol) plus what its compute reports. */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { RemoteCompute } from './remote-compute.ts';
import { nodePorts, type Port } from './ports.ts';
import type { ControllerProject } from './project.ts';
import type { CustomAdapter, Label, TopologyNode } from './topology.ts';
import { fail, isError } from '../errors/index.ts';

export type NodeStatus = 'stopped' | 'started' | 'suspended';

/** Never sent to a compute. */
export const CONTROLLER_ONLY = new Set([
  'x', 'y', 'z', 'locked', 'width', 'height', 'symbol', 'label', 'console_host', 'port_name_format', 'first_port_name',
  'port_segment_size', 'ports', 'category', 'console_auto_start',
]);

/** Fields of a node a client may not change; GNS3 500s on them, we ignore them. */
const READ_ONLY = new Set(['status', 'ports', 'width', 'height', 'node_directory', 'command_line', 'project_id', 'template_id', 'node_id', 'node_type', 'compute_id']);

/** Node types that run as soon as they exist and never count as "running" for export or duplicate. */
export const ALWAYS_RUNNING = new Set(['cloud', 'nat', 'ethernet_switch', 'ethernet_hub', 'frame_relay_switch', 'atm_switch']);

const NO_CONSOLE_TYPE = new Set(['cloud', 'nat', 'ethernet_hub', 'frame_relay_switch', 'atm_switch']);

/** Template settings that describe the template itself rather than the node. */
const TEMPLATE_ONLY = new Set(['builtin', 'usage', 'category', 'default_name_format', 'template_type', 'compute_id', 'tags']);

/** Files a template may reference, sent to the compute as content once and then forgotten. */
const FILE_PROPERTIES: Array<[string, string]> = [
  ['base_script_file', 'startup_script'],
  ['startup_config', 'startup_config_content'],
  ['private_config', 'private_config_content'],
];

const DEFAULT_VPCS_SCRIPT = 'set pcname %h\n';
/** Used when the configs folder has no `ios_base_startup-config.txt`: a name, and consoles that never log out. */
const DEFAULT_IOS_CONFIG = [
  'hostname %h', '!', 'no ip domain lookup', '!',
  'line con 0', ' exec-timeout 0 0', ' logging synchronous', 'line aux 0', ' exec-timeout 0 0', ' logging synchronous', '!', 'end', '',
].join('\n');

export type NodeInput = {
  node_id: string;
  node_type: string;
  name: string;
  template_id?: string | null;
  console?: number | null;
  console_type?: string | null;
  console_auto_start?: boolean;
  properties?: Record<string, unknown>;
  label?: Label;
  x?: number;
  y?: number;
  z?: number;
  locked?: boolean;
  symbol?: string | null;
  port_name_format?: string;
  port_segment_size?: number;
  first_port_name?: string | null;
  custom_adapters?: CustomAdapter[];
};

const isEmpty = (value: unknown) =>
  value === null || value === undefined || (typeof value === 'object' && !Array.isArray(value) && Object.keys(value as object).length === 0);

export class Node {
  readonly project: ControllerProject;
  readonly compute: RemoteCompute;
  readonly node_id: string;
  readonly node_type: string;
  template_id: string | null;
  name: string;
  console: number | null;
  console_type: string | null;
  console_auto_start: boolean;
  properties: Record<string, unknown>;
  status: NodeStatus = 'stopped';
  label: Label;
  symbol: string;
  width = 65;
  height = 59;
  x: number;
  y: number;
  z: number;
  locked: boolean;
  port_name_format: string;
  port_segment_size: number;
  first_port_name: string | null;
  custom_adapters: CustomAdapter[];
  node_directory: string | null = null;
  command_line: string | null = null;
  ports: Port[] = [];

  /** `name` must already be allocated in the project. */
  constructor(project: ControllerProject, compute: RemoteCompute, input: NodeInput) {
    this.project = project;
    this.compute = compute;
    this.node_id = input.node_id;
    this.node_type = input.node_type;
    this.template_id = input.template_id ?? null;
    this.name = input.name;
    this.console = input.console ?? null;
    this.console_type = input.console_type ?? null;
    this.console_auto_start = input.console_auto_start ?? false;
    this.properties = { ...(input.properties ?? {}) };
    this.symbol = input.symbol ?? ':/symbols/computer.svg';
    this.label = input.label ? { ...input.label, text: input.name } : { text: input.name, style: null, x: null, y: -40, rotation: 0 };
    this.x = input.x ?? 0;
    this.y = input.y ?? 0;
    this.z = input.z ?? 1;
    this.locked = input.locked ?? false;
    this.port_name_format = input.port_name_format ?? (input.node_type === 'iou' ? 'Ethernet{segment0}/{port0}' : 'Ethernet{0}');
    this.port_segment_size = input.port_segment_size ?? (input.node_type === 'iou' ? 4 : 0);
    this.first_port_name = input.first_port_name ?? null;
    this.custom_adapters = input.custom_adapters ?? [];
    this.#refreshPorts();
  }

  get path(): string {
    return `/projects/${this.project.id}/${this.node_type}/nodes/${this.node_id}`;
  }

  get running(): boolean {
    return this.status !== 'stopped' && !ALWAYS_RUNNING.has(this.node_type);
  }

  /** Symbol size and the default label position, which depends on it. */
  async applySymbol(symbol: string, resetLabel: boolean): Promise<void> {
    const symbols = this.project.controller.symbols;
    this.symbol = (await symbols.exists(symbol)) ? symbol : ':/symbols/computer.svg';
    const size = await symbols.dimensions(this.symbol);
    this.width = size.width;
    this.height = size.height;
    if (resetLabel) this.label = { text: this.name, style: null, x: null, y: -Math.round(this.height / 2 + 10), rotation: 0 };
  }

  #refreshPorts(): void {
    this.ports = nodePorts(this);
  }

  /** Body of a create/update call: properties plus the compute-relevant top-level fields, nulls and `{}` dropped. */
  #computeData(properties: Record<string, unknown>): Record<string, unknown> {
    const data: Record<string, unknown> = {};
    for (const [key, value] of Object.entries(properties)) {
      if (!CONTROLLER_ONLY.has(key) && !TEMPLATE_ONLY.has(key) && !isEmpty(value)) data[key] = value;
    }
    data.name = this.name;
    if (this.console !== null) data.console = this.console;
    if (this.console_type !== null && !NO_CONSOLE_TYPE.has(this.node_type)) data.console_type = this.console_type;
    if (this.custom_adapters.length > 0) data.custom_adapters = this.custom_adapters;
    return data;
  }

  /** Replaces file references (`base_script_file`...) by their content, once. */
  async #inlineFiles(data: Record<string, unknown>): Promise<void> {
    for (const [reference, content] of FILE_PROPERTIES) {
      const file = data[reference];
      if (typeof file !== 'string') continue;
      delete data[reference];
      delete this.properties[reference];
      if (!file) continue;
      const text = await readFile(join(this.project.controller.options.configsDir, file), 'utf8').catch(() => undefined);
      const fallback = reference === 'base_script_file' && this.node_type === 'vpcs'
        ? DEFAULT_VPCS_SCRIPT
        : reference === 'startup_config' && this.node_type === 'dynamips' && file === 'ios_base_startup-config.txt'
        ? DEFAULT_IOS_CONFIG
        : undefined;
      if (text ?? fallback) data[content] = text ?? fallback;
    }
  }

  /** Creates the node on its compute (project first) and adopts the answer. */
  async create(): Promise<void> {
    await this.project.ensureOnCompute(this.compute);
    const data = { ...this.#computeData(this.properties), node_id: this.node_id };
    await this.#inlineFiles(data);
    const answer = await this.compute.query('POST', `/projects/${this.project.id}/${this.node_type}/nodes`, data, { timeoutMs: 1_200_000 });
    this.applyCompute(answer as Record<string, unknown>);
  }

  /** Merges a compute's node JSON (create/update answers and `node.updated` events). Returns whether anything changed. */
  applyCompute(answer: Record<string, unknown> | undefined): boolean {
    if (!answer || typeof answer !== 'object') return false;
    const before = JSON.stringify(this.toJSON());
    for (const [key, value] of Object.entries(answer)) {
      switch (key) {
        case 'console':
          this.console = (value as number | null) ?? null;
          break;
        case 'console_type':
          this.console_type = (value as string | null) ?? null;
          break;
        case 'status':
          if (value === 'started' || value === 'stopped' || value === 'suspended') this.status = value;
          break;
        case 'command_line':
        case 'node_directory':
          this[key] = (value as string | null) ?? null;
          break;
        case 'name':
          if (typeof value === 'string' && value !== this.name) this.#rename(value);
          break;
        case 'node_id':
        case 'project_id':
        case 'console_host':
        case 'startup_config_content':
        case 'private_config_content':
        case 'startup_script':
          break;
        default:
          this.properties[key] = value;
      }
    }
    if (Array.isArray(answer.custom_adapters)) this.custom_adapters = answer.custom_adapters as CustomAdapter[];
    this.#refreshPorts();
    return JSON.stringify(this.toJSON()) !== before;
  }

  #rename(requested: string): void {
    this.project.names.free(this.name);
    this.name = this.project.names.allocate(requested);
    this.label = { ...this.label, text: this.name, x: null };
  }

  /** PUT from a client. Compute-relevant changes go to the compute first; controller-only ones are local. */
  async update(fields: Record<string, unknown>): Promise<void> {
    let computeNeeded = false;
    let newProperties: Record<string, unknown> | undefined;
    const oldName = this.name;
    for (const [key, value] of Object.entries(fields)) {
      if (READ_ONLY.has(key) || value === undefined) continue;
      const current = (this as unknown as Record<string, unknown>)[key];
      if (JSON.stringify(current) === JSON.stringify(value)) continue;
      switch (key) {
        case 'name':
          this.#rename(String(value));
          computeNeeded = true;
          break;
        case 'properties':
          newProperties = value as Record<string, unknown>;
          if (Array.isArray(newProperties.custom_adapters)) this.custom_adapters = newProperties.custom_adapters as CustomAdapter[];
          computeNeeded = true;
          break;
        case 'label': {
          const label = value as Label;
          this.label = { ...this.label, ...label, text: this.name };
          break;
        }
        case 'symbol':
          await this.applySymbol(String(value), false);
          break;
        case 'console':
        case 'console_type':
        case 'custom_adapters':
          (this as unknown as Record<string, unknown>)[key] = value;
          computeNeeded = true;
          break;
        default:
          if (CONTROLLER_ONLY.has(key)) (this as unknown as Record<string, unknown>)[key] = value;
      }
    }
    if (computeNeeded) {
      try {
        const answer = await this.compute.query('PUT', this.path, this.#computeData({ ...this.properties, ...(newProperties ?? {}) }));
        if (newProperties) Object.assign(this.properties, newProperties);
        this.applyCompute(answer as Record<string, unknown>);
      } catch (err) {
        if (this.name !== oldName) {
          this.project.names.free(this.name);
          this.project.names.claim(oldName);
          this.name = oldName;
          this.label = { ...this.label, text: oldName };
        }
        throw err;
      }
    }
    this.#refreshPorts();
  }

  /**
   * start / stop / suspend / reload. The compute also reports status through `node.updated`; taking the status from
   * the answer as well means the caller sees it without waiting for the event.
   */
  async action(action: 'start' | 'stop' | 'suspend' | 'reload', body?: unknown): Promise<boolean> {
    const before = this.status;
    try {
      const answer = await this.compute.query('POST', `${this.path}/${action}`, body, { timeoutMs: 240_000, dontConnect: action === 'stop' });
      if (answer && typeof answer === 'object' && 'status' in answer) this.applyCompute(answer as Record<string, unknown>);
      else if (action === 'start' || action === 'reload') this.status = 'started';
      else if (action === 'stop') this.status = 'stopped';
    } catch (err) {
      // GNS3 ignores compute errors on stop: the node may be gone with its compute.
      if (action !== 'stop') throw err;
      this.status = 'stopped';
    }
    return this.status !== before;
  }

  /** Marks the node stopped without asking anyone (its compute went away). */
  markStopped(): boolean {
    if (this.status === 'stopped') return false;
    this.status = 'stopped';
    return true;
  }

  async destroy(): Promise<void> {
    try {
      await this.compute.query('DELETE', this.path, undefined, { dontConnect: true });
    } catch (err) {
      if (!isError(err) || (!isError(err, 'COMPUTE_ANSWERED_NOT_FOUND') && this.compute.connected)) throw err;
    }
  }

  async duplicateOnCompute(destination: string): Promise<void> {
    try {
      await this.compute.query('POST', `${this.path}/duplicate`, { destination_node_id: destination }, { timeoutMs: 0x7fffffff });
    } catch (err) {
      if (isError(err, 'COMPUTE_ANSWERED_NOT_FOUND')) throw fail('NODE_NOT_DUPLICABLE');
      throw err;
    }
  }

  /** Forwards resize_disk to the compute; only QEMU nodes have disks (a GNS3 compute answers 404 for the others). */
  async resizeDisk(input: { drive_name: string; extend: number }): Promise<void> {
    if (this.node_type !== 'qemu') throw fail('NODE_NO_DISKS', this.name, this.node_type);
    await this.compute.query('POST', `${this.path}/resize_disk`, input, { timeoutMs: 1_200_000 });
  }

  toJSON(): Record<string, unknown> {
    return {
      compute_id: this.compute.id,
      project_id: this.project.id,
      node_id: this.node_id,
      template_id: this.template_id,
      node_type: this.node_type,
      node_directory: this.node_directory,
      name: this.name,
      console: this.console,
      console_host: this.compute.settings.host,
      console_type: this.console_type,
      console_auto_start: this.console_auto_start,
      command_line: this.command_line,
      properties: this.properties,
      status: this.status,
      label: this.label,
      symbol: this.symbol,
      width: this.width,
      height: this.height,
      x: this.x,
      y: this.y,
      z: this.z,
      locked: this.locked,
      port_name_format: this.port_name_format,
      port_segment_size: this.port_segment_size,
      first_port_name: this.first_port_name,
      custom_adapters: this.custom_adapters,
      ports: this.ports,
    };
  }

  toTopology(): TopologyNode {
    return {
      compute_id: this.compute.id,
      node_id: this.node_id,
      node_type: this.node_type,
      template_id: this.template_id,
      name: this.name,
      console: this.console,
      console_type: this.console_type,
      console_auto_start: this.console_auto_start,
      properties: this.properties,
      label: this.label,
      x: this.x,
      y: this.y,
      z: this.z,
      locked: this.locked,
      width: this.width,
      height: this.height,
      symbol: this.symbol,
      port_name_format: this.port_name_format,
      port_segment_size: this.port_segment_size,
      first_port_name: this.first_port_name,
      custom_adapters: this.custom_adapters,
    };
  }
}
