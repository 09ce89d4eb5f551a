/** Pure filter logic with fake time and scripted randomness. */
import t from 'tap';
import { buildFilterChain, validateFilters } from '../../src/relay/filters/chain.ts';
import { corruptFrame } from '../../src/relay/filters/corrupt.ts';
import { DROP } from '../../src/relay/filters/types.ts';
import { ReleaseQueue } from '../../src/relay/release-queue.ts';

const frame = () => new Uint8Array(100);
/** Random source returning the given values in turn. */
const script = (...values: number[]) => () => values.shift() ?? 0;

t.test('frequency_drop counts across both directions', async (t) => {
  const chain = buildFilterChain({ frequency_drop: [3] });
  const verdicts = [0, 1, 0, 1, 0, 1].map((dir) => chain.run(frame(), dir as 0 | 1, 5));
  t.same(verdicts, [5, 5, DROP, 5, 5, DROP]);
  t.equal(chain.dropReason, 'frequency_drop');
  t.equal(buildFilterChain({ frequency_drop: [-1] }).run(frame(), 0, 1), DROP);
  t.equal(buildFilterChain({ frequency_drop: [0] }).run(frame(), 0, 1), 1);
});

t.test('packet_loss drops with the given probability, and 0 drops nothing', async (t) => {
  const chain = buildFilterChain({ packet_loss: [30] }, script(0.29, 0.3, 0.99, 0));
  t.same([1, 2, 3, 4].map((now) => chain.run(frame(), 0, now)), [DROP, 2, 3, DROP]);
  const none = buildFilterChain({ packet_loss: [0] }, () => 0);
  t.equal(none.run(frame(), 0, 1), 1);
});

t.test('delay returns a release time of now + latency ± jitter', async (t) => {
  t.equal(buildFilterChain({ delay: [50] }).run(frame(), 0, 1000), 1050);
  const jittery = buildFilterChain({ delay: [50, 10] }, script(0, 0.5, 1));
  t.same([0, 0, 0].map(() => jittery.run(frame(), 1, 1000)), [1040, 1050, 1060]);
  t.equal(buildFilterChain({ delay: [5, 20] }, () => 0).run(frame(), 0, 100), 100, 'never before now');
});

t.test('corrupt flips the middle quarter of the frame', async (t) => {
  const f = new Uint8Array(32);
  corruptFrame(f);
  t.same([...f.subarray(12, 20)], [0x64, 0x13, 0x88, 0x40, 0x1f, 0xa0, 0xaa, 0x55]);
  t.ok(f.subarray(0, 12).every((b) => b === 0) && f.subarray(20).every((b) => b === 0));
  const chain = buildFilterChain({ corrupt: [50] }, script(0.9, 0.1));
  const a = frame();
  const b = frame();
  t.equal(chain.run(a, 0, 7), 7, 'corrupted frames still pass');
  chain.run(b, 0, 7);
  t.ok(a.every((x) => x === 0), 'first frame untouched (0.9 ≥ 50 %)');
  t.notOk(b.every((x) => x === 0), 'second frame corrupted');
});

t.test('bandwidth shapes each direction and drops beyond the backlog', async (t) => {
  // 800 kbit/s = 100 bytes per ms: a 100-byte frame occupies the link for 1 ms.
  const chain = buildFilterChain({ bandwidth: [800] });
  t.same([0, 0, 0].map(() => chain.run(frame(), 0, 10)), [11, 12, 13]);
  t.equal(chain.run(frame(), 1, 10), 11, 'the other direction has its own budget');
  t.equal(chain.run(frame(), 0, 20), 21, 'an idle link sends at once');
  let last = 0;
  for (let i = 0; i < 200; i++) last = chain.run(frame(), 0, 30);
  t.equal(last, DROP, 'more than 100 ms of backlog is dropped');
  t.match(chain.dropReason, 'bandwidth');
});

t.test('filters run in order and the first drop wins', async (t) => {
  const chain = buildFilterChain({ delay: [10], frequency_drop: [-1], packet_loss: [100] });
  t.equal(chain.run(frame(), 0, 0), DROP);
  t.equal(chain.dropReason, 'frequency_drop');
  t.equal(buildFilterChain({ delay: [10], bandwidth: [8] }).run(frame(), 0, 0), 100, 'latest release wins');
});

t.test('validateFilters names what is wrong', async (t) => {
  t.equal(validateFilters({}), null);
  t.equal(validateFilters({ delay: [50, 5], packet_loss: ['10'], bpf: ['icmp\n\nudp port 53'] }), null);
  t.match(validateFilters({ jitter: [1] }), /Unknown filter "jitter"/);
  t.match(validateFilters({ packet_loss: [101] }), /"packet_loss": value "101" must be an integer from 0 to 100/);
  t.match(validateFilters({ frequency_drop: [-2] }), /frequency_drop/);
  t.match(validateFilters({ delay: [] }), /"delay" needs value 1/);
  t.match(validateFilters({ delay: [1.5] }), /1\.5/);
  t.match(validateFilters({ bpf: ['tcp portrange 1-100'] }), /Unsupported BPF token "portrange"/);
  t.match(validateFilters({ bpf: [7] }), /must be a string/);
  t.match(validateFilters({ toString: [1] }), /Unknown filter "toString"/);
});

t.test('the release queue keeps arrival order', async (t) => {
  const queue = new ReleaseQueue<string>();
  queue.push('a', 10);
  queue.push('b', 5);
  queue.push('c', 20);
  t.equal(queue.nextDue(), 10);
  const out: string[] = [];
  queue.drain(9, (x) => out.push(x));
  t.same(out, []);
  queue.drain(10, (x) => out.push(x));
  t.same(out, ['a', 'b'], 'b waited behind a');
  t.equal(queue.size, 1);
  queue.drain(100, (x) => out.push(x));
  t.same(out, ['a', 'b', 'c']);
  t.equal(queue.nextDue(), Infinity);
  for (let i = 0; i < 3000; i++) queue.push(String(i), i);
  let released = 0;
  for (let now = 0; now < 3000; now += 100) queue.drain(now, () => released++);
  t.equal(released + queue.size, 3000, 'compaction loses nothing');
});
