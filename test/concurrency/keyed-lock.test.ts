import t from 'tap';
import { KeyedLock } from '../../src/concurrency/keyed-lock.ts';

const deferred = () => {
  let resolve!: () => void;
  const promise = new Promise<void>((r) => (resolve = r));
  return { promise, resolve };
};

t.test('calls on one key run one at a time, in arrival order', async (t) => {
  const lock = new KeyedLock();
  const events: string[] = [];
  const gates = [deferred(), deferred(), deferred()];
  const runs = gates.map((gate, i) =>
    lock.run('node', async () => {
      events.push(`start ${i}`);
      await gate.promise;
      events.push(`end ${i}`);
      return i;
    }));
  await Promise.resolve();
  // Release out of order: the lock must still finish them in arrival order.
  gates[2]!.resolve();
  gates[1]!.resolve();
  gates[0]!.resolve();
  t.same(await Promise.all(runs), [0, 1, 2]);
  t.same(events, ['start 0', 'end 0', 'start 1', 'end 1', 'start 2', 'end 2']);
  t.equal(lock.size, 0, 'no key is left behind');
});

t.test('different keys run concurrently', async (t) => {
  const lock = new KeyedLock();
  const gate = deferred();
  let running = 0;
  let peak = 0;
  const runs = Array.from({ length: 5 }, (_, i) =>
    lock.run(`node-${i}`, async () => {
      running++;
      peak = Math.max(peak, running);
      await gate.promise;
      running--;
    }));
  await new Promise((resolve) => setImmediate(resolve));
  gate.resolve();
  await Promise.all(runs);
  t.equal(peak, 5, 'all five were inside their critical section at once');
});

t.test('a failing call releases the lock for the next one', async (t) => {
  const lock = new KeyedLock();
  await t.rejects(lock.run('k', async () => {
    throw new Error('boom');
  }));
  t.equal(await lock.run('k', async () => 'next'), 'next');
});

t.test('drain waits for queued calls under a prefix only', async (t) => {
  const lock = new KeyedLock();
  const gate = deferred();
  const other = deferred();
  let done = false;
  void lock.run('p1:n1', async () => {
    await gate.promise;
    done = true;
  });
  void lock.run('p2:n1', () => other.promise);
  const drained = lock.drain('p1:');
  gate.resolve();
  await drained;
  t.ok(done, 'drain resolved after the p1 call finished, while p2 still runs');
  other.resolve();
});

