/**
 * Relay benchmark: delivered packets/s and latency through the relay pool next to a direct generator→sink path,
 * measured in the same run, plus the loss-free capacity (≤ 0.5 % loss) of one bridge. Traffic stays on 127.0.0.1 and
 * every run is bounded in time. Run with `npm run bench:relay` (Node + tsx) or `deno run -A bench/relay.ts`.
 *
 * The generator/sink is bench/c/udpblast.c (sendmmsg/recvmmsg), compiled here with `cc` into bench/bin/: Node's dgram
 * alone cannot saturate the relay, so it would measure itself instead.
 */
import { execFile, execFileSync } from 'node:child_process';
import { createSocket } from 'node:dgram';
import { existsSync, mkdirSync, statSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { RelayPool } from '../src/relay/pool.ts';

const SIZES = [64, 512, 1400];
const RUN_MS = 1000;
const LATENCY_PPS = 10_000;
const MAX_LOSS = 0.005;
const CAPACITY_STEPS = 7;

type Blast = { sent: number; received: number; delivered_pps: number; p50_us: number; p99_us: number };

const source = fileURLToPath(new URL('./c/udpblast.c', import.meta.url));
const binary = fileURLToPath(new URL('./bin/udpblast', import.meta.url));

function buildBlaster(): void {
  if (existsSync(binary) && statSync(binary).mtimeMs >= statSync(source).mtimeMs) return;
  mkdirSync(fileURLToPath(new URL('./bin/', import.meta.url)), { recursive: true });
  execFileSync('cc', ['-O2', '-Wall', '-pthread', '-o', binary, source], { stdio: 'inherit' });
}

function blast(size: number, pps: number, pairs: Array<[number, number]>): Promise<Blast> {
  const args = [String(size), String(pps), String(RUN_MS), ...pairs.map(([target, sink]) => `${target}:${sink}`)];
  return new Promise((resolve, reject) =>
    execFile(binary, args, { timeout: RUN_MS + 10_000 }, (error, stdout) =>
      error ? reject(error) : resolve(JSON.parse(stdout) as Blast),
    ),
  );
}

async function freePort(): Promise<number> {
  const socket = createSocket('udp4');
  await new Promise<void>((resolve) => socket.bind(0, '127.0.0.1', resolve));
  const { port } = socket.address();
  await new Promise<void>((resolve) => socket.close(() => resolve()));
  return port;
}

/** Bridges whose emulator side receives the generator's frames and whose link side sends them to a sink. */
async function bridges(pool: RelayPool, count: number): Promise<{ pairs: Array<[number, number]>; ids: string[] }> {
  const pairs: Array<[number, number]> = [];
  const ids: string[] = [];
  for (let i = 0; i < count; i++) {
    const [tunnel, unused, nio, sink] = [await freePort(), await freePort(), await freePort(), await freePort()];
    const id = `bench-${tunnel}`;
    await pool.createBridge(id, {
      emulator: { lport: tunnel, rhost: '127.0.0.1', rport: unused },
      nio: { lport: nio, rhost: '127.0.0.1', rport: sink },
      filters: {},
      suspend: false,
    });
    pairs.push([tunnel, sink]);
    ids.push(id);
  }
  return { pairs, ids };
}

async function directPairs(count: number): Promise<Array<[number, number]>> {
  const pairs: Array<[number, number]> = [];
  for (let i = 0; i < count; i++) {
    const port = await freePort();
    pairs.push([port, port]);
  }
  return pairs;
}

/** Highest offered rate (binary search) at which one bridge loses at most MAX_LOSS. */
async function capacity(size: number, pairs: Array<[number, number]>, ceiling: number): Promise<number> {
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

const fmt = (n: number) => n.toLocaleString('en-US', { maximumFractionDigits: 0 });

buildBlaster();
const pool = await RelayPool.start();
const one = await bridges(pool, 1);
const four = await bridges(pool, 4);
const direct1 = await directPairs(1);
const direct4 = await directPairs(4);
const rows: Array<Record<string, number>> = [];
try {
  for (const size of SIZES) {
    const d1 = await blast(size, 0, direct1);
    const r1 = await blast(size, 0, one.pairs);
    const d4 = await blast(size, 0, direct4);
    const r4 = await blast(size, 0, four.pairs);
    const dl = await blast(size, LATENCY_PPS, direct1);
    const rl = await blast(size, LATENCY_PPS, one.pairs);
    rows.push({
      size,
      direct_pps: d1.delivered_pps,
      relay1_pps: r1.delivered_pps,
      relay1_loss_pct: 100 * (1 - r1.received / r1.sent),
      ratio1: r1.delivered_pps / d1.delivered_pps,
      direct4_pps: d4.delivered_pps,
      relay4_pps: r4.delivered_pps,
      ratio4: r4.delivered_pps / d4.delivered_pps,
      direct_p50_us: dl.p50_us,
      direct_p99_us: dl.p99_us,
      relay_p50_us: rl.p50_us,
      relay_p99_us: rl.p99_us,
    });
  }
  const capacities: Record<string, number> = {};
  for (const size of [64, 1400]) {
    capacities[`loss_free_pps_${size}`] = await capacity(size, one.pairs, rows.find((r) => r.size === size)!.relay1_pps!);
  }

  console.log(`relay workers: ${pool.workerCount}; ${RUN_MS} ms per run; latency at ${fmt(LATENCY_PPS)} pps`);
  console.log('size | direct pps | relay 1 pps (ratio, loss) | direct 4 pps | relay 4 pps (ratio) | p50/p99 µs direct | p50/p99 µs relay');
  for (const r of rows) {
    console.log(
      `${String(r.size).padStart(4)} | ${fmt(r.direct_pps!).padStart(10)} | ${fmt(r.relay1_pps!).padStart(9)} ` +
        `(${r.ratio1!.toFixed(2)}, ${r.relay1_loss_pct!.toFixed(1)} %) | ${fmt(r.direct4_pps!).padStart(12)} | ` +
        `${fmt(r.relay4_pps!).padStart(9)} (${r.ratio4!.toFixed(2)}) | ` +
        `${r.direct_p50_us!.toFixed(0)}/${r.direct_p99_us!.toFixed(0)} | ${r.relay_p50_us!.toFixed(0)}/${r.relay_p99_us!.toFixed(0)}`,
    );
  }
  for (const [key, value] of Object.entries(capacities)) console.log(`${key}: ${fmt(value)}`);
  console.log(JSON.stringify({ bench: 'relay', workers: pool.workerCount, rows, ...capacities }));
} finally {
  await pool.close();
}
