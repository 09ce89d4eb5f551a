/**
 * Issue #12, placement: two real VPCS ping each other through the real daemon while the relay moves their link (both
 * bridges, one group) to another worker with its descriptors. The ping keeps working and the bridges' counters continue.
 */
import t from 'tap';
import { httpClient } from '../helpers/daemon.ts';
import { runSeedSession } from '../helpers/seed.ts';
import { TelnetClient } from '../helpers/telnet.ts';
import { ping } from '../helpers/vpcs-console.ts';
import { RELAY_IO } from './helpers.ts';
import { inProcessDaemon } from './in-process-daemon.ts';

t.test('a VPCS link keeps pinging while its bridges move to another relay worker', { skip: RELAY_IO === 'dgram' && 'dgram sockets cannot move' }, async (t) => {
  // Two workers allowed whatever the machine's core count, so there is somewhere to move to.
  const daemon = await inProcessDaemon(t, { relay_workers: '2' });
  const pool = daemon.relayPool;
  const seed = await runSeedSession(httpClient(daemon.url));
  const [pc1, pc2] = seed.nodes;
  const bridges = [`${pc1!.node_id}:0/0`, `${pc2!.node_id}:0/0`];
  t.equal(pool.workerCount, 1, 'a quiet lab runs one relay worker');
  const before = await pool.stats(bridges[0]!);
  t.ok(before.packets_in > 0, 'the seed ping went through the bridge');

  const pc1Console = await TelnetClient.connect(pc1!.console);
  t.teardown(() => pc1Console.close());
  const first = pool.threadOf(bridges[0]!);
  const pinging = ping(pc1Console, '10.0.0.2', { count: 6 });
  // Let the ping's first replies through, then move the link under it.
  await new Promise((resolve) => setTimeout(resolve, 1500));
  const moved = await pool.rebalance(bridges[0]!);
  t.not(moved, null, 'the link moved');
  t.not(moved, first, 'to the other worker');
  t.equal(pool.threadOf(bridges[1]!), moved, 'both bridges of the link moved together');
  const output = await pinging;
  t.match(output, /icmp_seq=6/, 'the ping running across the move completed');
  t.notMatch(output, /timeout/, 'no request of it timed out');
  const after = await pool.stats(bridges[0]!);
  t.ok(after.packets_in >= before.packets_in + 6, `the counters continued (${before.packets_in} → ${after.packets_in} frames in)`);
  t.match(await ping(pc1Console, '10.0.0.2'), /bytes from 10\.0\.0\.2/, 'and it still pings afterwards');
});
