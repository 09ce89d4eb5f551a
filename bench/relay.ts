/**
 * Relay benchmark: delivered packets/s, latency and loss-free capacity through the relay pool on its two I/O backends
 * (native: FFI, recvmmsg/sendmmsg; dgram: node:dgram) next to a direct generator→sink path and, with `--ubridge PATH`
 * (or UBRIDGE=PATH), through a uBridge hypervisor, all in the same run.
 * Traffic stays on 127.0.0.1 and every run is bounded in time. Run with `npm run bench:relay [-- --ubridge PATH]`
 * (Node + tsx) or `deno run -A bench/relay.ts [--ubridge PATH]`.
 *
 * Paths measured per subject:
 * - "1 bridge": generator → emulator side of a bridge → its NIO → sink.
 * - "4 bridges": four such bridges in parallel, frames spread round-robin.
 * - "link": the GNS3 topology of two emulators on one compute: generator → bridge A → A's NIO → B's NIO → bridge B
 *   → sink (B's emulator port).
 * - "hub" (relay only; GNS3 runs hubs in Dynamips, not uBridge): generator → bridge A → hub port 0 → hub port 1 →
 *   bridge B → sink.
 * - "raw" (native relay and uBridge; needs root): the generator sends from inside a network namespace the bench
 *   creates, across a veth pair; a raw (AF_PACKET) bridge side on the host end forwards each Ethernet frame to the sink
 *   over UDP (uBridge: `bridge add_nio_linux_raw`). The frame size is the size on the wire (UDP payload + 42 B).
 *   Its direct row is the same generator across the same veth to a sink on the host end, through the host's UDP stack:
 *   the most this generator and veth carry.
 *
 * The generator/sink is bench/c/udpblast.c (sendmmsg/recvmmsg), compiled here with `cc` into bench/bin/: Node's dgram
 * alone cannot saturate the relay, so it would measure itself instead. The generator sends from the emulator's port,
 * as an emulator does, because uBridge's connected sockets drop frames from any other port.
 */
import { execFile, execFileSync } from 'node:child_process';
import type { RelayIoName } from '../src/relay/io/types.ts';
import { createSocket } from 'node:dgram';
import { existsSync, mkdirSync, readFileSync, statSync } from 'node:fs';
import process from 'node:process';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { RelayPool } from '../src/relay/pool.ts';
import { CpuGroup } from './relay-cpu-group.ts';
import { BUSY_SAMPLES, SAMPLE_MS } from '../src/relay/placement.ts';
import { UbridgeHypervisor } from './relay-ubridge.ts';

const ALL_SIZES = [64, 512, 1400];
const ALL_CAPACITY_SIZES = [64, 1400];
const RUN_MS = 1000;
const LATENCY_PPS = 20_000;
const MAX_LOSS = 0.005;
const CAPACITY_STEPS = 7;

const LOW_RATE_PPS = 1_000;
/** Latency runs are longer (40 000 samples at 20 000 pkt/s, 2 000 at 1 000) and repeated, see `latencyRows`. */
const LATENCY_MS = 2000;
const LATENCY_SCENARIOS = [['one', LATENCY_PPS], ['link', LATENCY_PPS], ['one', LOW_RATE_PPS]] as const;
/**
 * SCHED_FIFO priority of every measured thread during latency runs, as root with the forwarders' cgroup: the generator
 * and sink (chrt) and every forwarder thread (relay workers, uBridge) alike, so latency measures the paths rather than
 * the host's other work queueing ahead of them. Nothing else changes between subjects.
 */
const LATENCY_RT_PRIORITY = 10;

type Blast = { sent: number; received: number; delivered_pps: number; p50_us: number; p99_us: number };
/**
 * Generator sends from `source` (0 = any port) to `target`; the sink listens on `sink`. `via`: generator options
 * (the raw path's namespace, destination and payload offset); `overhead`: bytes the path adds to the generator's
 * datagram, so `size` stays the size the forwarder moves.
 */
type Pair = { target: number; sink: number; source: number; via?: string[]; overhead?: number };
type Paths = { one: Pair[]; four: Pair[]; link: Pair[]; hub?: Pair[] };
/** A path whose bridge exists only while it is measured (raw: every bridge on the veth would see every frame). */
type Transient = { open(): Promise<Pair>; close(): Promise<void> };
/** `pid`: the process doing the forwarding, whose CPU time per forwarded frame is reported. */
type Subject = { name: string; paths: Paths; pid?: number; raw?: Transient };

const source = fileURLToPath(new URL('./c/udpblast.c', import.meta.url));
const binary = fileURLToPath(new URL('./bin/udpblast', import.meta.url));

// Unknown options are refused (parseArgs is strict): a mistyped one, or `--help`, must not start a run of minutes.
const { values } = parseArgs({
  options: {
    ubridge: { type: 'string' },
    repeat: { type: 'string', default: '1' },
    only: { type: 'string' },
    path: { type: 'string' },
    sizes: { type: 'string' },
  },
});
const ubridgeBinary = values.ubridge ?? (process.env.UBRIDGE || undefined);
/** `--repeat N`: every figure is the median of N runs, for a machine shared with other work. */
const REPEAT = Number(values.repeat);
/** `--only max|latency|capacity`: one part of the bench (e.g. a short latency run at a higher priority). */
const ONLY = values.only;
if (ONLY !== undefined && !['max', 'latency', 'capacity'].includes(ONLY)) throw new Error('--only must be one of max, latency, capacity');
/** Rounds of the latency part: each round measures every subject once, back to back, so load changes hit all alike. */
const LATENCY_ROUNDS = Math.max(REPEAT, 3);
/** Set while the latency part runs with real-time priority (see LATENCY_RT_PRIORITY). */
let realtime = false;
/** Why the latency part ran at normal priority, if it did. */
let realtimeRefused: string | null = null;
const wanted = (part: string) => ONLY === undefined || ONLY === part;
const MAX_PATHS = ['one', 'four', 'link', 'hub', 'raw'] as const;
/** `--path one|four|link|hub|raw`: the max-rate part measures that path only (a few minutes less per run). */
const PATH = values.path;
if (PATH !== undefined && !(MAX_PATHS as readonly string[]).includes(PATH)) throw new Error(`--path must be one of ${MAX_PATHS.join(', ')}`);
/** `--sizes 1400` or `--sizes 64,1400`: measure those of the standard frame sizes only (a shorter run). */
const SIZES_OPTION = values.sizes?.split(',').map(Number);
if (SIZES_OPTION?.some((size) => !ALL_SIZES.includes(size))) throw new Error(`--sizes takes some of ${ALL_SIZES.join(', ')}`);
const SIZES = SIZES_OPTION ?? ALL_SIZES;
const CAPACITY_SIZES = ALL_CAPACITY_SIZES.filter((size) => SIZES.includes(size));

function buildBlaster(): void {
  if (existsSync(binary) && statSync(binary).mtimeMs >= statSync(source).mtimeMs) return;
  mkdirSync(fileURLToPath(new URL('./bin/', import.meta.url)), { recursive: true });
  execFileSync('cc', ['-O2', '-Wall', '-pthread', '-o', binary, source], { stdio: 'inherit' });
}

/** One generator/sink run (at the latency part's priority while `realtime`). */
function blastOnce(args: string[]): Promise<Blast> {
  const [file, argv] = realtime ? ['chrt', ['-f', String(LATENCY_RT_PRIORITY), binary, ...args]] : [binary, args];
  return new Promise((resolve, reject) =>
    execFile(file, argv, { timeout: RUN_MS + LATENCY_MS + 10_000 }, (error, stdout) =>
      error ? reject(error) : resolve(JSON.parse(stdout) as Blast),
    ),
  );
}

const median = (values: number[]) => [...values].sort((a, b) => a - b)[values.length >> 1]!;

/** Runs are memoised: the direct path is the same for "1 bridge" and "link", so it is measured once. */
const blasts = new Map<string, Promise<Blast>>();

/** Each field is the median over REPEAT runs (`sent` keeps the median loss: received is derived from it). */
async function repeated(args: string[]): Promise<Blast> {
  const runs: Blast[] = [];
  for (let i = 0; i < REPEAT; i++) runs.push(await blastOnce(args));
  const sent = median(runs.map((r) => r.sent));
  return {
    sent,
    received: Math.round(sent * median(runs.map((r) => r.received / Math.max(1, r.sent)))),
    delivered_pps: median(runs.map((r) => r.delivered_pps)),
    p50_us: median(runs.map((r) => r.p50_us)),
    p99_us: median(runs.map((r) => r.p99_us)),
  };
}

function blastArgs(size: number, pps: number, ms: number, pairs: Pair[]): string[] {
  const { via = [], overhead = 0 } = pairs[0]!;
  return [...via, String(size - overhead), String(pps), String(ms), ...pairs.map((p) => `${p.target}:${p.sink}:${p.source}`)];
}

function blast(size: number, pps: number, pairs: Pair[]): Promise<Blast> {
  const args = blastArgs(size, pps, RUN_MS, pairs);
  const key = args.join(' ');
  let run = blasts.get(key);
  if (!run) {
    run = repeated(args);
    blasts.set(key, run);
  }
  return run;
}

/** Ports handed out so far: the kernel may offer a port again once its probe socket is closed. */
const handedOut = new Set<number>();

/** A UDP port free now and not handed out before in this run (a collision failed a run: sink = another pair's source). */
async function freePort(): Promise<number> {
  for (;;) {
    const socket = createSocket('udp4');
    await new Promise<void>((resolve) => socket.bind(0, '127.0.0.1', resolve));
    const { port } = socket.address();
    await new Promise<void>((resolve) => socket.close(() => resolve()));
    if (handedOut.has(port)) continue;
    handedOut.add(port);
    return port;
  }
}

const freePorts = (count: number) => Promise.all(Array.from({ length: count }, freePort));

/** A bridge of any implementation: `tunnel` ↔ 127.0.0.1:`emulator`, `nio` ↔ 127.0.0.1:`rport`. */
type MakeBridge = (name: string, tunnel: number, emulator: number, nio: number, rport: number) => Promise<void>;

/** The bridge paths (see the header) built from bridges of one implementation. */
async function bridgedPaths(make: MakeBridge): Promise<Paths> {
  const single = async (): Promise<Pair> => {
    const [tunnel, emulator, nio, sink] = await freePorts(4);
    await make(`bench-${tunnel}`, tunnel, emulator!, nio!, sink!);
    return { target: tunnel!, sink: sink!, source: emulator! };
  };
  const one = [await single()];
  const four = [await single(), await single(), await single(), await single()];
  const [tunnelA, emulatorA, nioA, tunnelB, emulatorB, nioB] = await freePorts(6);
  await make(`bench-a-${tunnelA}`, tunnelA!, emulatorA!, nioA!, nioB!);
  await make(`bench-b-${tunnelB}`, tunnelB!, emulatorB!, nioB!, nioA!);
  return { one, four, link: [{ target: tunnelA!, sink: emulatorB!, source: emulatorA! }] };
}

/** Two relay bridges joined through a relay hub (ports set first, as when a topology is started). */
async function hubPath(pool: RelayPool): Promise<Pair[]> {
  await pool.createFabric('bench-hub', 'ethernet_hub');
  const [tunnelA, emulatorA, nioA, hubA, tunnelB, emulatorB, nioB, hubB] = await freePorts(8);
  await pool.setFabricPort('bench-hub', 0, { lport: hubA!, rhost: '127.0.0.1', rport: nioA! });
  await pool.setFabricPort('bench-hub', 1, { lport: hubB!, rhost: '127.0.0.1', rport: nioB! });
  for (const [tunnel, emulator, nio, hub] of [[tunnelA, emulatorA, nioA, hubA], [tunnelB, emulatorB, nioB, hubB]]) {
    await pool.createBridge(`bench-hub-${tunnel}`, {
      emulator: { lport: tunnel!, rhost: '127.0.0.1', rport: emulator! },
      nio: { lport: nio!, rhost: '127.0.0.1', rport: hub! },
      filters: {},
      suspend: false,
    });
  }
  return [{ target: tunnelA!, sink: emulatorB!, source: emulatorA! }];
}

async function directPaths(): Promise<Paths> {
  const pair = async (): Promise<Pair> => {
    const port = await freePort();
    return { target: port, sink: port, source: 0 };
  };
  const one = [await pair()];
  return { one, four: [await pair(), await pair(), await pair(), await pair()], link: one, hub: one };
}

/** Highest offered rate (binary search) at which the path loses at most MAX_LOSS. */
async function capacity(size: number, pairs: Pair[], ceiling: number): Promise<number> {
  let good = 0;
  let [low, high] = [1000, Math.max(2000, Math.round(ceiling * 1.2))];
  for (let step = 0; step < CAPACITY_STEPS; step++) {
    const rate = Math.round((low + high) / 2);
    const result = await blast(size, rate, pairs);
    if (1 - result.received / result.sent <= MAX_LOSS) {
      good = rate;
      low = rate;
    } else {
      high = rate;
    }
  }
  return good;
}

/** CPU seconds (user + system, all threads) a process has used, from /proc (Linux; USER_HZ = 100). */
function cpuSeconds(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
  return (Number(fields[11]) + Number(fields[12])) / 100;
}

const fmt = (n: number) => n.toLocaleString('en-US', { maximumFractionDigits: 0 });
const ratio = (a: number, b: number) => (Number.isFinite(a) && b > 0 ? (a / b).toFixed(2) : '-');

/** One figure per subject for one measurement, in subject order. */
type Row = { what: string; size: number; values: number[] };

/** Ratio columns: each backend against uBridge, and native against dgram. */
const RATIOS: Array<[string, string]> = [
  ['native', 'ubridge'],
  ['dgram', 'ubridge'],
  ['native', 'dgram'],
];

/** The ratio columns of a row, by name ("native/ubridge"), for the JSON line. */
function rowRatios(names: string[], row: Row): Record<string, number | null> {
  const out: Record<string, number | null> = {};
  for (const [a, b] of RATIOS.filter(([x, y]) => names.includes(x) && names.includes(y))) {
    const value = Number(ratio(row.values[names.indexOf(a)]!, row.values[names.indexOf(b)]!));
    out[`${a}/${b}`] = Number.isFinite(value) ? value : null;
  }
  return out;
}

/**
 * The targets for the native backend, from the rows (null where this run did not measure it): max rate and
 * loss-free capacity as the worst ratio to uBridge, CPU per frame as the worst path, and each latency row's native and
 * uBridge figures side by side.
 */
function targets(names: string[], rows: Row[]) {
  const [native, ubridge] = [names.indexOf('native'), names.indexOf('ubridge')];
  const pick = (prefix: string) => rows.filter((r) => r.what.startsWith(prefix));
  const worstRatio = (prefix: string) => {
    const ratios = pick(prefix).map((r) => r.values[native]! / r.values[ubridge]!).filter(Number.isFinite);
    return ubridge < 0 || ratios.length === 0 ? null : Math.round(Math.min(...ratios) * 100) / 100;
  };
  const cpu = pick('CPU µs per frame').map((r) => r.values[native]!).filter(Number.isFinite);
  const latency = (prefix: string) =>
    pick(prefix).map((r) => ({ what: r.what, size: r.size, native: r.values[native]!, ubridge: ubridge < 0 ? null : r.values[ubridge]! }));
  return {
    max_rate_vs_ubridge_min: { target: 1.5, value: worstRatio('max pps') },
    loss_free_vs_ubridge_min: { target: 2, value: worstRatio('loss-free pps') },
    cpu_us_per_frame_max: { target: 2.5, value: cpu.length ? Math.max(...cpu) : null },
    added_p99_us_at_20k: latency(`added p99 µs at ${fmt(LATENCY_PPS)} pps`),
    added_p50_us_at_1k: latency(`added p50 µs at ${fmt(LOW_RATE_PPS)} pps`),
  };
}

function printTable(subjects: Subject[], rows: Row[]): void {
  const names = subjects.map((s) => s.name);
  const ratios = RATIOS.filter(([a, b]) => names.includes(a) && names.includes(b));
  console.log(['measurement', 'size', ...names, ...ratios.map(([a, b]) => `${a}/${b}`)].join(' | '));
  for (const row of rows) {
    const cells = row.values.map((v) => (Number.isNaN(v) ? '-' : Math.abs(v) < 10 ? v.toFixed(1) : fmt(v)));
    const ratioCells = ratios.map(([a, b]) => ratio(row.values[names.indexOf(a)]!, row.values[names.indexOf(b)]!));
    console.log([row.what, row.size, ...cells, ...ratioCells].join(' | '));
  }
}

const RAW_NS_PREFIX = 'pbrb';

/** The raw path's veth pair: the generator's end in a namespace of the bench's own, the relay's end on the host. */
function rawNetwork() {
  const ns = `${RAW_NS_PREFIX}${process.pid}`;
  const outer = `${ns}o`;
  const inner = `${ns}i`;
  const ip = (...args: string[]) => execFileSync('ip', args);
  const inNs = (...args: string[]) => execFileSync('ip', ['netns', 'exec', ns, ...args]);
  ip('netns', 'add', ns);
  try {
    ip('link', 'add', outer, 'type', 'veth', 'peer', 'name', inner);
    ip('link', 'set', inner, 'netns', ns);
    for (const [device, run] of [[outer, ip], [inner, (...a: string[]) => inNs('ip', ...a)]] as const) {
      run('link', 'set', device, 'up');
    }
    inNs('sysctl', '-q', '-w', `net.ipv6.conf.${inner}.disable_ipv6=1`);
    execFileSync('sysctl', ['-q', '-w', `net.ipv6.conf.${outer}.disable_ipv6=1`]);
    inNs('ip', 'addr', 'add', '10.212.0.2/24', 'dev', inner);
    // A fixed neighbour: the generator's frames go out without ARP, and nothing on the host answers them.
    inNs('ip', 'neigh', 'replace', '10.212.0.1', 'lladdr', '02:00:00:00:00:01', 'dev', inner);
  } catch (error) {
    ip('netns', 'del', ns);
    throw error;
  }
  // Sending frame by frame across the veth, the generator offered 150-300 k pkt/s at best (the IP stack, the veth and
  // every AF_PACKET reader's copy, all in its own context): less than the native relay forwards, so the raw row
  // measured the generator. With the veth end unable to segment, a segmented batch is cut into ordinary frames before
  // the veth (nothing on the host end can tell) and the generator offers 2-3 times more, to every subject alike.
  let segmented: string[] = [];
  try {
    inNs('ethtool', '-K', inner, 'tx-udp-segmentation', 'off');
    segmented = ['-g'];
  } catch {
    console.log('raw path: ethtool failed, so its generator sends frame by frame (it may then be the limit)');
  }
  return {
    device: outer,
    via: ['-n', `/run/netns/${ns}`, '-d', '10.212.0.1', '-o', '42', ...segmented],
    /**
     * The raw path's direct row: the same generator across the same veth, its datagrams taken by the host's own UDP
     * stack to a sink on the host end (10.212.0.1 given to it, and the namespace's neighbour pointed at its real MAC,
     * only for the run), so what the generator and the veth can carry shows beside what the forwarders deliver.
     */
    direct: {
      async open(): Promise<Pair> {
        const [sink] = await freePorts(1);
        ip('addr', 'add', '10.212.0.1/24', 'dev', outer);
        const mac = readFileSync(`/sys/class/net/${outer}/address`, 'utf8').trim();
        inNs('ip', 'neigh', 'replace', '10.212.0.1', 'lladdr', mac, 'dev', inner);
        return { target: sink!, sink: sink!, source: 0, via: ['-n', `/run/netns/${ns}`, '-d', '10.212.0.1', '-s', '10.212.0.1', ...segmented], overhead: 42 };
      },
      async close() {
        inNs('ip', 'neigh', 'replace', '10.212.0.1', 'lladdr', '02:00:00:00:00:01', 'dev', inner);
        ip('addr', 'del', '10.212.0.1/24', 'dev', outer);
      },
    } satisfies Transient,
    // Deleting the namespace deletes its veth end, and with it the pair.
    remove: () => execFileSync('ip', ['netns', 'del', ns]),
  };
}

/**
 * Removes what a run killed before its clean-up left behind: namespaces (with their veth pairs) and CPU groups named
 * after a bench process that no longer exists.
 */
function reapStaleRuns(): void {
  const dead = (pid: string) => !existsSync(`/proc/${pid}`);
  const namespaces = execFileSync('ip', ['netns', 'list'], { encoding: 'utf8' }).split('\n').map((line) => line.split(' ')[0]!);
  for (const ns of namespaces) {
    const pid = ns.startsWith(RAW_NS_PREFIX) ? ns.slice(RAW_NS_PREFIX.length) : '';
    if (/^\d+$/.test(pid) && dead(pid)) execFileSync('ip', ['netns', 'del', ns]);
  }
  CpuGroup.reapStale(dead);
}

buildBlaster();
if (process.getuid?.() === 0) reapStaleRuns();
const cpuGroup = CpuGroup.open();
const pools = {
  native: await RelayPool.start({ io: 'native' }),
  dgram: await RelayPool.start({ io: 'dgram' }),
} satisfies Record<RelayIoName, RelayPool>;
// Relay workers join the forwarders' group as they start: with their first bridge, and on the native I/O later too,
// when placement by load (src/relay/placement.ts) starts one for a busy worker.
for (const pool of Object.values(pools)) {
  pool.onWorkerStart(({ tid }) => {
    if (tid !== null) cpuGroup?.addThreads([String(tid)]);
  });
}
const ubridge = ubridgeBinary ? await UbridgeHypervisor.start(ubridgeBinary) : null;
const raw = process.getuid?.() === 0 ? rawNetwork() : null;
if (!raw) console.log('raw path skipped: creating its namespace and veth pair needs root');
try {
  const poolSubject = async (name: RelayIoName): Promise<Subject> => {
    const pool = pools[name];
    const subject: Subject = {
      name,
      pid: process.pid,
      paths: {
        ...(await bridgedPaths((id, tunnel, emulator, nio, rport) =>
          pool.createBridge(id, {
            emulator: { lport: tunnel, rhost: '127.0.0.1', rport: emulator },
            nio: { lport: nio, rhost: '127.0.0.1', rport },
            filters: {},
            suspend: false,
          }),
        )),
        hub: await hubPath(pool),
      },
    };
    if (raw && name === 'native') {
      subject.raw = {
        async open() {
          const [lport, sink] = await freePorts(2);
          await pool.createBridge('bench-raw', {
            emulator: { kind: 'raw', device: raw.device },
            nio: { lport: lport!, rhost: '127.0.0.1', rport: sink! },
            filters: {},
            suspend: false,
          });
          return { target: 9, sink: sink!, source: 0, via: raw.via, overhead: 42 };
        },
        close: () => pool.deleteBridge('bench-raw'),
      };
    }
    return subject;
  };
  const subjects: Subject[] = [
    { name: 'direct', paths: await directPaths(), ...(raw ? { raw: raw.direct } : {}) },
    await poolSubject('native'),
    await poolSubject('dgram'),
  ];
  if (ubridge) {
    cpuGroup?.addProcess(ubridge.pid);
    const subject: Subject = { name: 'ubridge', pid: ubridge.pid, paths: await bridgedPaths((...args) => ubridge.bridge(...args)) };
    if (raw) {
      subject.raw = {
        async open() {
          const [lport, sink] = await freePorts(2);
          await ubridge.rawBridge('bench-raw', raw.device, lport!, sink!);
          return { target: 9, sink: sink!, source: 0, via: raw.via, overhead: 42 };
        },
        close: () => ubridge.deleteBridge('bench-raw'),
      };
    }
    subjects.push(subject);
  }

  const blastArgv = (ms: number, pairs: Pair[]) => [String(SIZES[0]), '0', String(ms), ...pairs.map((p) => `${p.target}:${p.sink}:${p.source}`)];
  // Warm-up, not recorded: the relay workers' JIT compiles the hot path on first traffic.
  for (const subject of subjects) {
    for (const pairs of Object.values(subject.paths)) await blastOnce(blastArgv(300, pairs));
  }
  // The native pool starts with one worker for every bridge; four busy bridges make it split them over a second
  // worker once the first has been busy for BUSY_SAMPLES samples. Measured is that settled state, as a lab reaches it.
  if (PATH === undefined || PATH === 'four') {
    const native = subjects.find((s) => s.name === 'native')!;
    await blastOnce(blastArgv((BUSY_SAMPLES + 1.5) * SAMPLE_MS, native.paths.four));
    console.log(`native relay workers after four busy bridges: ${pools.native.workerCount}`);
  }

  const rows: Row[] = [];
  const measure = async (what: string, size: number, run: (s: Subject) => Promise<number>) => {
    const values: number[] = [];
    for (const subject of subjects) values.push(await run(subject));
    rows.push({ what, size, values });
    return values;
  };
  /** The pairs of `path` for a subject, opening a transient one for the run; null when the subject lacks the path. */
  const withPath = async <T>(s: Subject, path: keyof Paths | 'raw', run: (pairs: Pair[]) => Promise<T>): Promise<T | null> => {
    if (path !== 'raw') {
      const pairs = s.paths[path];
      return pairs ? run(pairs) : null;
    }
    if (!s.raw) return null;
    const pair = await s.raw.open();
    try {
      return await run([pair]);
    } finally {
      await s.raw.close();
    }
  };
  /**
   * Latency at LATENCY_PPS (one bridge, a link) and LOW_RATE_PPS (one bridge): LATENCY_ROUNDS rounds, each running every
   * subject once in turn. p50/p99 are the medians over rounds; "added" is the median over rounds of the subject's
   * figure minus the direct path's in the same round, so a burst of host load inflates one round, not the result.
   */
  const latencyRows = async (size: number): Promise<Row[]> => {
    const out: Row[] = [];
    if (!cpuGroup) realtimeRefused = 'needs root and the cgroup';
    try {
      cpuGroup?.setRealtime(LATENCY_RT_PRIORITY);
      realtime = cpuGroup !== null;
    } catch (error) {
      // E.g. a kernel whose root group has no real-time runtime to give: measure all subjects at normal priority.
      realtimeRefused = (error as Error).message;
      cpuGroup?.setRealtime(0);
    }
    try {
      for (const [path, pps] of LATENCY_SCENARIOS) {
        const rounds: Blast[][] = [];
        for (let round = 0; round < LATENCY_ROUNDS; round++) {
          const results: Blast[] = [];
          for (const s of subjects) results.push(await blastOnce(blastArgs(size, pps, LATENCY_MS, s.paths[path])));
          rounds.push(results);
        }
        const over = (pick: (round: Blast[], i: number) => number) => subjects.map((_, i) => median(rounds.map((r) => pick(r, i))));
        const at = `at ${fmt(pps)} pps, ${path}`;
        out.push({ what: `p50 µs ${at}`, size, values: over((r, i) => r[i]!.p50_us) });
        out.push({ what: `p99 µs ${at}`, size, values: over((r, i) => r[i]!.p99_us) });
        out.push({ what: `added p50 µs ${at}`, size, values: over((r, i) => r[i]!.p50_us - r[0]!.p50_us) });
        out.push({ what: `added p99 µs ${at}`, size, values: over((r, i) => r[i]!.p99_us - r[0]!.p99_us) });
      }
    } finally {
      realtime = false;
      cpuGroup?.setRealtime(0);
    }
    return out;
  };
  const maxRate: Record<string, number[]> = {};
  for (const size of SIZES) {
    for (const path of wanted('max') || wanted('capacity') ? MAX_PATHS.filter((p) => PATH === undefined || p === PATH) : []) {
      const cpu: number[] = [];
      const offered: number[] = [];
      const values = await measure(`max pps, ${path}`, size, async (s) => {
        const result = await withPath(s, path, async (pairs) => {
          const before = s.pid ? cpuSeconds(s.pid) : NaN;
          const blasted = await blast(size, 0, pairs);
          return { blasted, cpu: s.pid ? ((cpuSeconds(s.pid) - before) * 1e6) / (blasted.received * REPEAT) : NaN };
        });
        cpu.push(result ? result.cpu : NaN);
        offered.push(result ? result.blasted.sent / (RUN_MS / 1000) : NaN);
        return result ? result.blasted.delivered_pps : NaN;
      });
      rows.push({ what: `CPU µs per frame at max rate, ${path}`, size, values: cpu });
      // Across the veth the generator is slower than on loopback and its rate moves with the host's load from one
      // subject's run to the next: what it offered each subject tells a forwarder's limit from the generator's.
      if (path === 'raw') rows.push({ what: `offered pps at max rate, ${path}`, size, values: offered });
      maxRate[`${path}-${size}`] = values;
    }
    if (wanted('latency')) rows.push(...(await latencyRows(size)));
  }
  for (const size of wanted('capacity') ? CAPACITY_SIZES : []) {
    for (const path of (['one', 'link'] as const).filter((p) => PATH === undefined || p === PATH)) {
      await measure(`loss-free pps, ${path}`, size, (s) =>
        capacity(size, s.paths[path], maxRate[`${path}-${size}`]![subjects.indexOf(s)]!),
      );
    }
  }

  const workers = pools.native.workerCount;
  console.log(
    `relay workers per backend: ${workers}; ${RUN_MS} ms per run, median of ${REPEAT}; loss-free = ≤ ${MAX_LOSS * 100} % loss`,
  );
  console.log(
    cpuGroup
      ? `forwarders (relay workers, uBridge) ran in one CPU cgroup of default weight (${cpuGroup.path})`
      : 'forwarders ran without a common CPU cgroup (needs root and cgroup v1 cpu): thread counts weigh on max rates',
  );
  if (wanted('latency')) {
    console.log(
      `latency: ${LATENCY_MS} ms per run, median of ${LATENCY_ROUNDS} rounds (each round runs every subject in turn; "added" ` +
        `= median of the per-round differences to direct), ` +
        (realtimeRefused === null
          ? `every measured thread (generator, sink, relay workers, uBridge) at SCHED_FIFO ${LATENCY_RT_PRIORITY}`
          : `at normal priority (real-time refused: ${realtimeRefused})`),
    );
  }
  printTable(subjects, rows);
  const names = subjects.map((s) => s.name);
  const goals = targets(names, rows);
  console.log('targets (native):', JSON.stringify(goals));
  console.log(
    JSON.stringify({
      bench: 'relay',
      workers,
      cpu_group: cpuGroup !== null,
      latency: { ms: LATENCY_MS, rounds: LATENCY_ROUNDS, realtime_priority: realtimeRefused === null ? LATENCY_RT_PRIORITY : 0 },
      subjects: names,
      rows: rows.map((row) => ({ ...row, ratios: rowRatios(names, row) })),
      targets: goals,
    }),
  );
} finally {
  await ubridge?.stop();
  await Promise.all([pools.native.close(), pools.dgram.close()]);
  raw?.remove();
  cpuGroup?.remove();
}
