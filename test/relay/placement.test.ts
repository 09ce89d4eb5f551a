/** The relay pool's placement rule (src/relay/placement.ts): pure decisions, no worker needed. */
import t from 'tap';
import { BUSY_SHARE, groupsOf, groupsToMove, migrationTarget, placeNew, QUIET_SHARE } from '../../src/relay/placement.ts';
import type { WorkerState } from '../../src/relay/placement.ts';

const worker = (hosted: number, busyFor = 0, share = busyFor > 0 ? BUSY_SHARE : 0): WorkerState => ({ hosted, busyFor, share });

t.test('native: new bridges share the running workers until they are busy', async (t) => {
  t.equal(placeNew([], 4, false), 'new', 'the first bridge starts the first worker');
  t.equal(placeNew([worker(5)], 4, false), 0, 'a quiet worker takes more, however many it hosts');
  t.equal(placeNew([worker(5), worker(2)], 4, false), 1, 'the quiet worker hosting least');
  t.equal(placeNew([worker(5, 1), worker(2)], 4, false), 1, 'a busy worker is passed over');
  t.equal(placeNew([worker(5, 1)], 4, false), 'new', 'every worker busy: a new one while the bound allows');
  t.equal(placeNew([worker(5, 1), worker(3, 2)], 2, false), 1, 'every worker busy at the bound: the one hosting least');
});

t.test('dgram: new bridges spread at creation, as sockets cannot move later', async (t) => {
  t.equal(placeNew([], 2, true), 'new');
  t.equal(placeNew([worker(1)], 2, true), 'new', 'a second independent bridge starts a second worker');
  t.equal(placeNew([worker(1), worker(0)], 2, true), 1, 'an empty worker first');
  t.equal(placeNew([worker(3), worker(2)], 2, true), 1, 'at the bound: the least-loaded');
});

t.test('a busy worker\'s groups go to a new worker, else to a quiet one', async (t) => {
  t.equal(migrationTarget([worker(4, 2)], 0, 2), 'new');
  t.equal(migrationTarget([worker(4, 2), worker(1, 0, QUIET_SHARE / 2)], 0, 2), 1, 'at the bound: the quiet one');
  t.equal(migrationTarget([worker(4, 2), worker(1, 0, QUIET_SHARE * 2)], 0, 2), null, 'nowhere quiet enough');
  t.equal(migrationTarget([worker(4, 2)], 0, 1), null, 'one worker allowed: nowhere');
});

t.test('groups are split by the traffic they carried', async (t) => {
  t.same(groupsToMove([]), [], 'nothing hosted');
  t.same(groupsToMove([900]), [], 'one busy group cannot be split');
  t.same(groupsToMove([900, 0, 0]), [], 'idle groups do not count');
  t.same(groupsToMove([100, 100]), [1], 'two equal groups: one moves');
  t.same(groupsToMove([100, 100, 100, 100]), [1, 3], 'four equal groups: two move');
  t.same(groupsToMove([10, 900, 20, 0]), [2, 0], 'the largest stays; the others go to the lighter side, idle ones stay');
  t.same(groupsToMove([500, 300, 200]), [1, 2], 'the rest balances the largest');
});

t.test('groups are connected components of the link relation', async (t) => {
  const groups = groupsOf(['a', 'b', 'c', 'd', 'e'], (x, y) => `${x}${y}` === 'ab' || `${x}${y}` === 'bd' || `${x}${y}` === 'ce');
  t.same(groups.map((g) => g.sort().join('')).sort(), ['abd', 'ce'], 'transitive links join one group');
  t.same(groupsOf([1, 2, 3], () => false), [[1], [2], [3]], 'nothing linked: one group each');
});
