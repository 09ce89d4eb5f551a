/**
 * A minimal Prometheus registry: counters, gauges and histograms with labels, rendered in the text exposition format
 * (version 0.0.4). Collectors run before each scrape to refresh gauges that mirror live state.
 *
 * @example
 * const registry = new Registry();
 * const hits = registry.counter('patchbay_hits_total', 'Hits.');
 * hits.inc({ route: '/v2/compute/version' });
 * await registry.render();
 */
export type Labels = Record<string, string | number>;

/** Label values are nearly always plain (route templates, methods, statuses): test once before three replaces. */
const NEEDS_ESCAPE = /[\\"\n]/;
const escapeLabel = (value: string) => !NEEDS_ESCAPE.test(value) ? value : value.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n');

function labelText(labels: Labels): string {
  const keys = Object.keys(labels).sort();
  if (keys.length === 0) return '';
  return `{${keys.map((key) => `${key}="${escapeLabel(String(labels[key]))}"`).join(',')}}`;
}

const number = (value: number) => (Number.isFinite(value) ? String(value) : value > 0 ? '+Inf' : value < 0 ? '-Inf' : 'NaN');

abstract class Metric {
  constructor(readonly name: string, readonly help: string, readonly type: 'counter' | 'gauge' | 'histogram') {}
  abstract lines(): string[];
  render(): string {
    return [`# HELP ${this.name} ${this.help.replace(/\n/g, ' ')}`, `# TYPE ${this.name} ${this.type}`, ...this.lines()].join('\n');
  }
}

/** Values keyed by their label set; shared by counters and gauges. */
class Series extends Metric {
  protected readonly values = new Map<string, number>();

  protected add(labels: Labels, delta: number): void {
    const key = labelText(labels);
    this.values.set(key, (this.values.get(key) ?? 0) + delta);
  }

  lines(): string[] {
    return [...this.values].map(([labels, value]) => `${this.name}${labels} ${number(value)}`);
  }
}

export class Counter extends Series {
  inc(labels: Labels = {}, by = 1): void {
    if (by < 0) throw new RangeError(`Counter ${this.name} cannot decrease (by ${by})`);
    this.add(labels, by);
  }

  /**
   * `inc` for one fixed label set, its series key worked out once: for a caller counting the same labels on every
   * request, which would otherwise sort and join them each time.
   */
  bind(labels: Labels): () => void {
    const key = labelText(labels);
    return () => this.values.set(key, (this.values.get(key) ?? 0) + 1);
  }

  /** Publishes a total counted elsewhere (e.g. inside a relay worker), read at scrape time. */
  mirror(labels: Labels, total: number): void {
    this.values.set(labelText(labels), total);
  }
}

export class Gauge extends Series {
  set(labels: Labels, value: number): void {
    this.values.set(labelText(labels), value);
  }

  /** Forgets every series, so a collector can re-publish only what still exists (e.g. running nodes). */
  reset(): void {
    this.values.clear();
  }
}

type Buckets = { labels: Labels; counts: number[]; sum: number; count: number };

export class Histogram extends Metric {
  readonly #bounds: readonly number[];
  readonly #series = new Map<string, Buckets>();

  constructor(name: string, help: string, bounds: readonly number[]) {
    super(name, help, 'histogram');
    this.#bounds = [...bounds].sort((a, b) => a - b);
  }

  observe(labels: Labels, value: number): void {
    this.#add(labelText(labels), labels, value);
  }

  /** `observe` for one fixed label set, its series key worked out once (see Counter.bind). */
  bind(labels: Labels): (value: number) => void {
    const key = labelText(labels);
    return (value) => this.#add(key, labels, value);
  }

  #add(key: string, labels: Labels, value: number): void {
    let series = this.#series.get(key);
    if (!series) {
      series = { labels, counts: this.#bounds.map(() => 0), sum: 0, count: 0 };
      this.#series.set(key, series);
    }
    for (let i = 0; i < this.#bounds.length; i++) if (value <= this.#bounds[i]!) series.counts[i]! += 1;
    series.sum += value;
    series.count += 1;
  }

  lines(): string[] {
    const out: string[] = [];
    for (const { labels, counts, sum, count } of this.#series.values()) {
      this.#bounds.forEach((bound, i) => out.push(`${this.name}_bucket${labelText({ ...labels, le: number(bound) })} ${counts[i]}`));
      out.push(`${this.name}_bucket${labelText({ ...labels, le: '+Inf' })} ${count}`);
      out.push(`${this.name}_sum${labelText(labels)} ${sum}`);
      out.push(`${this.name}_count${labelText(labels)} ${count}`);
    }
    return out;
  }
}

export class Registry {
  readonly #metrics: Metric[] = [];
  readonly #collectors: Array<() => void | Promise<void>> = [];

  #register<M extends Metric>(metric: M): M {
    if (this.#metrics.some((m) => m.name === metric.name)) throw new Error(`Metric "${metric.name}" is registered twice`);
    this.#metrics.push(metric);
    return metric;
  }

  counter(name: string, help: string): Counter {
    return this.#register(new Counter(name, help, 'counter'));
  }

  /** A gauge; given `read`, an unlabelled one that takes the value `read` returns at every scrape. */
  gauge(name: string, help: string, read?: () => number): Gauge {
    const gauge = this.#register(new Gauge(name, help, 'gauge'));
    if (read) this.collect(() => gauge.set({}, read()));
    return gauge;
  }

  histogram(name: string, help: string, bounds: readonly number[]): Histogram {
    return this.#register(new Histogram(name, help, bounds));
  }

  /** Runs before every scrape; a failing collector is reported as a metric rather than failing the scrape. */
  collect(collector: () => void | Promise<void>): void {
    this.#collectors.push(collector);
  }

  async render(): Promise<string> {
    const results = await Promise.allSettled(this.#collectors.map((collect) => collect()));
    const failed = results.filter((r) => r.status === 'rejected').length;
    const health = `# HELP patchbay_metrics_collector_errors Collectors that failed during this scrape.\n` +
      `# TYPE patchbay_metrics_collector_errors gauge\npatchbay_metrics_collector_errors ${failed}`;
    return `${[...this.#metrics.map((m) => m.render()), health].join('\n')}\n`;
  }
}
