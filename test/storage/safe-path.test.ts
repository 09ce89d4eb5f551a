import t from 'tap';
import { resolveInside } from '../../src/storage/safe-path.ts';

t.test('resolves paths inside the root', async (t) => {
  t.equal(resolveInside('/srv/p', 'a/b.txt'), '/srv/p/a/b.txt');
  t.equal(resolveInside('/srv/p', 'a/../b.txt'), '/srv/p/b.txt');
});

t.test('refuses anything that escapes or names the root itself', async (t) => {
  for (const bad of ['../x', 'a/../../x', '/etc/passwd', '..', '.', '', 'a\0b']) {
    let status = 0;
    try {
      resolveInside('/srv/p', bad);
    } catch (err) {
      status = (err as { status: number }).status;
    }
    t.equal(status, 403, JSON.stringify(bad));
  }
});
