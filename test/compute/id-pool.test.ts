import t from 'tap';
import { IdPool } from '../../src/compute/id-pool.ts';

const pool = () => new IdPool({ first: 1, last: 3 }, {
  exhausted: () => new Error('exhausted'),
  taken: (id) => new Error(`taken ${id}`),
});

t.test('hands out the lowest free id per scope and reuses released ones', async (t) => {
  const ids = pool();
  t.same([ids.take('a'), ids.take('a'), ids.take('b')], [1, 2, 1], 'scopes are independent');
  ids.release('a', 1);
  t.equal(ids.take('a'), 1, 'a released id is the lowest free again');
  t.equal(ids.take('a'), 3);
  t.throws(() => ids.take('a'), /exhausted/, 'past `last`');
  ids.clear('a');
  t.equal(ids.take('a'), 1, 'a cleared scope starts over');
});

t.test('a wanted id is taken if free and refused if in use', async (t) => {
  const ids = pool();
  t.equal(ids.take('a', 3), 3);
  t.throws(() => ids.take('a', 3), /taken 3/);
  t.same([ids.take('a'), ids.take('a')], [1, 2], 'the lowest free ids skip the wanted one');
});

t.test('lend gives the id back when the task fails, and keeps it when it succeeds', async (t) => {
  const ids = pool();
  await t.rejects(ids.lend('a', async () => { throw new Error('boom'); }), /boom/);
  t.equal(await ids.lend('a', async (id) => id), 1, 'the failed task left id 1 free');
  t.equal(ids.take('a'), 2, 'the successful task kept id 1');
});

t.test('a pool without a last id does not run out', async (t) => {
  const ids = new IdPool({ first: 3 });
  t.same([ids.take(''), ids.take(''), ids.take('')], [3, 4, 5]);
});
