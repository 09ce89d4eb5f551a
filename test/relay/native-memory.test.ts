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
import type { UdpSocket } from '../../src/relay/io/types.ts';

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

/** An endpoint's send memory is made at its first frame: each is sent one, to a port nobody listens on. */
const sendOne = async (socket: UdpSocket): Promise<void> => {
  socket.send(new Uint8Array(64), { address: '127.0.0.1', port: await freePort(), family: 4 });
};

t.test('endpoints opened and closed, or detached, leave no native memory behind', async (t) => {
  const io = new NativeIo(libc);
  t.teardown(() => io.close());
  const baseline = live.size;
  for (let i = 0; i < 20; i++) {
    const socket = await io.openUdp(await freePort(), '127.0.0.1', handlers);
    await sendOne(socket);
    if (i === 0) t.ok(live.size > baseline, 'a frame sent made the endpoint its send memory');
    await socket.close();
  }
  t.equal(live.size, baseline, 'closed endpoints gave their memory back');

  const custody = newCustody(4);
  const socket = await io.openUdp(await freePort(), '127.0.0.1', handlers);
  await sendOne(socket);
  const handle = socket.detach(custody);
  t.equal(live.size, baseline, 'a detached endpoint gave its memory back');
  libc.close(handle.fd);
});

t.test('an endpoint that has sent nothing holds no send memory', async (t) => {
  const io = new NativeIo(libc);
  t.teardown(() => io.close());
  const baseline = live.size;
  const sockets = await Promise.all([1, 2, 3].map(async () => io.openUdp(await freePort(), '127.0.0.1', handlers)));
  t.equal(live.size, baseline, 'three idle endpoints allocated nothing');
  for (const socket of sockets) await socket.close();
});
