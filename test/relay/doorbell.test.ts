/**
 * A native worker waits for its next frames in poll(), outside its event loop, for as long as they keep coming
 * (src/relay/io/native/linger.ts); the pool rings its doorbell after each control message. Through a real pool and
 * worker: commands sent while a flow keeps the worker busy are answered and take effect, the worker's thread uses no
 * CPU once the flow stops (it sleeps in the kernel), and the doorbell's descriptor is closed with the pool.
 */
import t from 'tap';
import { readFileSync, readdirSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import { RELAY_IO, bridgeFixture, numberedFrame, startPool } from './helpers.ts';

const openFds = () => readdirSync('/proc/self/fd').length;

/** CPU time (user + system, in clock ticks) the kernel has counted for one thread of this process. */
function threadTicks(tid: number): number {
  const fields = readFileSync(`/proc/self/task/${tid}/stat`, 'utf8').split(') ')[1]!.split(' ');
  // Fields 14 and 15 of the line (utime, stime), counted after the command name's closing parenthesis.
  return Number(fields[11]) + Number(fields[12]);
}

t.test('a worker kept busy by a flow answers control messages at once, then sleeps', { skip: RELAY_IO === 'dgram' && 'the dgram backend waits in its event loop only' }, async (t) => {
  const fdsBefore = openFds();
  const pool = await startPool(1, 'native');
  let tid: number | null = null;
  pool.onWorkerStart((start) => (tid = start.tid));
  const fx = await bridgeFixture();
  await pool.createBridge('d', fx.spec);
  t.equal(pool.io?.name, 'native');

  // Ten frames every millisecond: the worker never waits 2 ms for the next one, so it stays in its poll().
  let sent = 0;
  const flow = setInterval(() => {
    for (let i = 0; i < 10; i++) void fx.emulator.send(numberedFrame(sent++), fx.tunnelPort);
  }, 1);
  await fx.peer.waitFor(100);
  const seen: number[] = [];
  for (let i = 0; i < 20; i++) seen.push((await pool.stats('d')).packets_in);
  t.ok(seen.every((count, i) => i === 0 || count >= seen[i - 1]!) && seen.at(-1)! > seen[0]!, `stats answered while frames flowed (${seen[0]} → ${seen.at(-1)})`);
  await pool.updateBridge('d', { suspend: true });
  const stopped = (await pool.stats('d')).packets_out;
  await sleep(50);
  t.equal((await pool.stats('d')).packets_out, stopped, 'an update sent while frames flowed took effect (suspended: nothing forwarded)');
  clearInterval(flow);

  t.not(tid, null, 'the worker named its thread');
  await sleep(200);
  const before = threadTicks(tid!);
  await sleep(3000);
  const used = threadTicks(tid!) - before;
  // A thread spinning instead of sleeping would count ≈ 300 ticks (100 per second) here.
  t.ok(used <= 5, `the idle worker used ${used} clock ticks of CPU in 3 s`);

  await pool.close();
  await fx.close();
  for (let i = 0; i < 100 && openFds() > fdsBefore; i++) await sleep(20);
  t.ok(openFds() <= fdsBefore, `no descriptor left open once the pool closed, the doorbell included (${fdsBefore} → ${openFds()})`);
});
