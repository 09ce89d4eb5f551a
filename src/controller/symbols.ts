/**
 * Symbols: the built-in Classic theme (our own drawings under GNS3's symbol ids), custom symbols from a folder,
 * default symbols per role, and the image size that gives a node its width/height.
 */
import { mkdir, readdir, readFile } from 'node:fs/promises';
import { basename, extname, join } from 'node:path';
import { fail } from '../errors/index.ts';
import { atomicWrite } from '../storage/atomic-write.ts';

export type SymbolEntry = { symbol_id: string; filename: string; theme: string; builtin: boolean };

/** Classic symbol names. Sizes follow what GNS3 reports for the ones clients depend on (computer 65×59, router 66×45). */
const CLASSIC: Record<string, [number, number]> = {
  access_point: [65, 45],
  asa: [66, 49],
  atm_bridge: [66, 42],
  atm_switch: [66, 42],
  bridge: [66, 42],
  cloud: [75, 45],
  computer: [65, 59],
  docker_guest: [65, 59],
  dslam: [66, 42],
  edge_label_switch_router: [66, 45],
  ethernet_switch: [66, 42],
  firewall: [66, 49],
  frame_relay_switch: [66, 42],
  gateway: [66, 45],
  hub: [66, 40],
  ids: [66, 49],
  ip_phone: [52, 60],
  label_switch_router: [66, 45],
  multilayer_switch: [66, 53],
  optical_router: [66, 45],
  qemu_guest: [65, 59],
  route_switch_processor: [66, 45],
  router: [66, 45],
  router_firewall: [66, 45],
  router_netflow: [66, 45],
  server: [43, 65],
  traceng: [65, 59],
  vbox_guest: [65, 59],
  vmware_guest: [65, 59],
  voice_router: [66, 45],
  vpcs_guest: [65, 59],
  web_server: [43, 65],
  wlan_controller: [66, 45],
};

const ROLES = [
  'cloud', 'ethernet_switch', 'ethernet_hub', 'frame_relay_switch', 'atm_switch', 'router', 'multilayer_switch', 'firewall', 'computer',
  'vpcs_guest', 'qemu_guest', 'vbox_guest', 'vmware_guest', 'docker_guest',
];

/** `GET /v2/default_symbols`: theme → role → symbol id. */
export function defaultSymbols(): Record<string, Record<string, string>> {
  const classic: Record<string, string> = {};
  for (const role of ROLES) classic[role] = `:/symbols/classic/${role === 'ethernet_hub' ? 'hub' : role}.svg`;
  return { Classic: classic };
}

function classicName(symbolId: string): string | undefined {
  const match = /^:\/symbols\/(?:classic\/)?([^/]+)\.svg$/.exec(symbolId);
  return match && match[1] in CLASSIC ? match[1] : undefined;
}

/** A plain drawing with a label: enough for a map, and entirely our own. */
function drawClassic(name: string): string {
  const [w, h] = CLASSIC[name];
  const label = name.replace(/_/g, ' ');
  return (
    `<svg xmlns="http://www.w3.org/2000/svg" width="${w}" height="${h}" viewBox="0 0 ${w} ${h}">` +
    `<rect x="1" y="1" width="${w - 2}" height="${h - 2}" rx="8" fill="#3b78c2" stroke="#1d3f6a" stroke-width="2"/>` +
    `<text x="${w / 2}" y="${h / 2 + 4}" font-family="sans-serif" font-size="9" fill="#fff" text-anchor="middle">${label}</text></svg>`
  );
}

export function svgDimensions(data: Uint8Array | string): { width: number; height: number } | undefined {
  const text = typeof data === 'string' ? data : new TextDecoder().decode(data.subarray(0, 4096));
  const tag = /<svg\b[^>]*>/i.exec(text)?.[0];
  if (tag) {
    const width = /\bwidth\s*=\s*["']?([\d.]+)/i.exec(tag);
    const height = /\bheight\s*=\s*["']?([\d.]+)/i.exec(tag);
    if (width && height) return { width: Math.round(Number(width[1])), height: Math.round(Number(height[1])) };
    const box = /\bviewBox\s*=\s*["']?\s*[\d.-]+[\s,]+[\d.-]+[\s,]+([\d.]+)[\s,]+([\d.]+)/i.exec(tag);
    if (box) return { width: Math.round(Number(box[1])), height: Math.round(Number(box[2])) };
  }
  if (typeof data !== 'string' && data[0] === 0x89 && data[1] === 0x50) {
    const view = new DataView(data.buffer, data.byteOffset, data.byteLength);
    return { width: view.getUint32(16), height: view.getUint32(20) };
  }
  return undefined;
}

export class Symbols {
  readonly #dir: string;
  readonly #sizes = new Map<string, { width: number; height: number }>();

  /** @param dir folder of custom symbols (GNS3's `symbols_path`) */
  constructor(dir: string) {
    this.#dir = dir;
  }

  async list(): Promise<SymbolEntry[]> {
    const entries: SymbolEntry[] = [];
    for (const file of await readdir(this.#dir).catch(() => [] as string[])) {
      if (!file.startsWith('.')) entries.push({ symbol_id: file, filename: file, theme: 'Custom symbols', builtin: false });
    }
    for (const name of Object.keys(CLASSIC)) {
      entries.push({ symbol_id: `:/symbols/classic/${name}.svg`, filename: `${name}.svg`, theme: 'Classic', builtin: true });
    }
    return entries.sort((a, b) => a.theme.localeCompare(b.theme) || a.filename.localeCompare(b.filename));
  }

  /** The image for an id: custom file, classic drawing, and finally computer.svg as GNS3 falls back. */
  async raw(symbolId: string): Promise<{ data: Uint8Array | string; type: string }> {
    if (!symbolId.startsWith(':/')) {
      const data = await readFile(join(this.#dir, basename(symbolId))).catch(() => undefined);
      if (data) return { data: new Uint8Array(data), type: mimeOf(symbolId) };
    }
    const name = classicName(symbolId) ?? classicName(`:/symbols/classic/${basename(symbolId)}`) ?? 'computer';
    return { data: drawClassic(name), type: 'image/svg+xml' };
  }

  async save(symbolId: string, data: Uint8Array): Promise<void> {
    await mkdir(this.#dir, { recursive: true });
    const file = join(this.#dir, basename(symbolId));
    // The name comes from the URL: a name the file system refuses (too long, say) is the client's mistake, not a 500.
    await atomicWrite(file, data).catch((err: NodeJS.ErrnoException) => {
      throw err.code ? fail('FILE_WRITE_FAILED', file, err.message) : err;
    });
    this.#sizes.delete(basename(symbolId));
  }

  /** Width and height of a symbol, cached; nodes take theirs from it. */
  async dimensions(symbolId: string): Promise<{ width: number; height: number }> {
    const cached = this.#sizes.get(symbolId);
    if (cached) return cached;
    const name = classicName(symbolId);
    let size: { width: number; height: number } | undefined;
    if (name) size = { width: CLASSIC[name][0], height: CLASSIC[name][1] };
    else size = svgDimensions((await this.raw(symbolId)).data);
    size ??= { width: 65, height: 59 };
    this.#sizes.set(symbolId, size);
    return size;
  }

  /** Whether the id names a symbol we can serve (unknown ones are replaced by computer.svg on nodes). */
  async exists(symbolId: string): Promise<boolean> {
    if (classicName(symbolId)) return true;
    if (symbolId.startsWith(':/')) return false;
    return (await readdir(this.#dir).catch(() => [] as string[])).includes(basename(symbolId));
  }
}

function mimeOf(file: string): string {
  const types: Record<string, string> = { '.svg': 'image/svg+xml', '.png': 'image/png', '.jpg': 'image/jpeg', '.jpeg': 'image/jpeg', '.gif': 'image/gif' };
  return types[extname(file).toLowerCase()] ?? 'application/octet-stream';
}
