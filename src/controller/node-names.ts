/** Node name allocation the way GNS3 does it: `PC{0}` → PC1, PC2…; a taken `PC1` becomes the first free `PC<n>`. */
import { fail } from '../errors/index.ts';

const LIMIT = 1_000_000;

/**
 * Formats GNS3 name templates, a small subset of Python's `str.format`: `{0}`/`{}` and `{id}` give `n`, `{name}`
 * gives "Node", `{{`/`}}` are literal braces. Anything else is refused as GNS3 refuses it.
 */
export function formatName(template: string, n: number): string {
  return template.replace(/\{\{|\}\}|\{([^{}]*)\}/g, (match, field: string | undefined) => {
    if (match === '{{') return '{';
    if (match === '}}') return '}';
    if (field === '0' || field === '' || field === 'id') return String(n);
    if (field === 'name') return 'Node';
    throw fail('NODE_NAME_BAD_REPLACEMENT', String(field));
  });
}

const hasCounter = (name: string) => /\{(0|id)\}/.test(name);

export class NodeNames {
  readonly #taken = new Set<string>();

  has(name: string): boolean {
    return this.#taken.has(name);
  }

  /** Records a name without deduplication (used while loading nodes from a file). */
  claim(name: string): void {
    this.#taken.add(name);
  }

  free(name: string): void {
    this.#taken.delete(name);
  }

  clear(): void {
    this.#taken.clear();
  }

  /**
   * Allocates a unique name from a requested one.
   * @example names.allocate('PC{0}') // 'PC1', then 'PC2'
   * @example names.allocate('R'); names.allocate('R') // 'R', then 'R1'
   */
  allocate(requested: string): string {
    let name = requested.replace(/ /g, '');
    if (this.#taken.has(name)) name = name.replace(/[0-9]+$/, '{0}');
    if (hasCounter(name)) {
      for (let n = 1; n < LIMIT; n++) {
        const candidate = formatName(name, n);
        if (!this.#taken.has(candidate)) return this.#take(candidate);
      }
    } else {
      if (!this.#taken.has(name)) return this.#take(name);
      for (let n = 1; n < LIMIT; n++) {
        const candidate = `${name}${n}`;
        if (!this.#taken.has(candidate)) return this.#take(candidate);
      }
    }
    throw fail('NODE_NAME_EXHAUSTED');
  }

  #take(name: string): string {
    this.#taken.add(name);
    return name;
  }
}
