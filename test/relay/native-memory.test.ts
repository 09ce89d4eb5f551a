/**
 * The native I/O gives back what it allocates per endpoint: bridges are created and deleted for as long as a worker
 * lives (a lab's links come and go), so an endpoint's native send memory must go with it, whether the endpoint closes or
 * moves to another worker. The real libc binding, with its alloc/free counted.
 */
import t from 'tap';
import { freePort } from './helpers.ts';
import { newCustody } from '../../src/relay/custody.ts';
import type { Libc, NativeMemory } from '../../src/relay/io/native/libc.ts';
import { NativeIo } from '../../src/relay/io/native/native-io.ts';

let real: Libc;
try {
  real = (await import('../../src/relay/io/native/libc-koffi.ts')).bindLibcKoffi();
} catch (error) {
  t.plan(0, `koffi unavailable: ${(error as Error).message}`);
}

const live = new Set<number>();
const libc: Libc = {
  ...real!,
  alloc(bytes: number): NativeMemory {
    const memory = real.alloc(bytes);
    live.add(memory.address);
    return memory;
  },
  free(memory: NativeMemory): void {
    live.delete(memory.address);
    real.free(memory);
  },
};
const handlers = { frame() {}, drop() {}, error() {} };

t.test('endpoints opened and closed, or detached, leave no native memory behind', async (t) => {
  const io = new NativeIo(libc);
  t.teardown(() => io.close());
  const baseline = live.size;
  for (let i = 0; i < 20; i++) {
    const socket = await io.openUdp(await freePort(), '127.0.0.1', handlers);
    await socket.close();
  }
  t.equal(live.size, baseline, 'closed endpoints gave their memory back');

  const custody = newCustody(4);
  const socket = await io.openUdp(await freePort(), '127.0.0.1', handlers);
  const handle = socket.detach(custody);
  t.equal(live.size, baseline, 'a detached endpoint gave its memory back');
  libc.close(handle.fd);
});
