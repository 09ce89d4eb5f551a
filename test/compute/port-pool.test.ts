import t from 'tap';
import { PortPool } from '../../src/compute/port-pool.ts';

const always = async () => true;

t.test('allocates distinct ports and rotates past recently released ones', async (t) => {
  const pool = new PortPool([100, 103], always);
  const a = await pool.allocate('p/n1');
  const b = await pool.allocate('p/n1');
  t.same([a, b], [100, 101]);
  pool.release(a);
  t.equal(await pool.allocate('p/n2'), 102, 'a just-released port is not the next one handed out');
  t.equal(await pool.allocate('p/n2'), 103);
  t.equal(await pool.allocate('p/n2'), 100, 'wraps around to the free port');
  t.equal(await pool.allocate('p/n3').catch((err) => err.status), 409, 'an exhausted pool answers 409');
});

t.test('never hands out a port the probe rejects', async (t) => {
  const busy = new Set([200, 201]);
  const pool = new PortPool([200, 202], async (port) => !busy.has(port));
  t.equal(await pool.allocate('x'), 202);
  t.same(pool.allocated, [202]);
});

t.test('concurrent allocations never collide', async (t) => {
  const pool = new PortPool([1000, 1099], async () => {
    await new Promise((resolve) => setTimeout(resolve, Math.random() * 5));
    return true;
  });
  const ports = await Promise.all(Array.from({ length: 100 }, () => pool.allocate('x')));
  t.equal(new Set(ports).size, 100);
});

t.test('reserve substitutes an unavailable or out-of-range port, as GNS3 does', async (t) => {
  const pool = new PortPool([5000, 5010], always);
  t.equal(await pool.reserve(5005, 'a'), 5005);
  t.not(await pool.reserve(5005, 'b'), 5005, 'taken port replaced');
  const outside = await pool.reserve(80, 'b');
  t.ok(outside >= 5000 && outside <= 5010, 'out-of-range port replaced by one in range');
});

t.test('releaseOwnedBy frees everything under an owner prefix', async (t) => {
  const pool = new PortPool([1, 10], always);
  await pool.allocate('proj1/n1');
  await pool.allocate('proj1/n2');
  const kept = await pool.allocate('proj2/n1');
  pool.releaseOwnedBy('proj1/');
  t.same(pool.allocated, [kept]);
});
