/**
 * The native worker's wait for more frames in poll() (src/relay/io/native/linger.ts) must always hand the thread back
 * to the event loop: with a socket that stays readable the whole time (a reader that never drains it stands for a
 * flow that never pauses) a session still ends, a session does not run while the event loop is held (a release timer
 * armed), a rung doorbell ends it before any more frames are read, and there is one session per event-loop turn. A real
 * socket through the real libc binding; a hang fails the test by its timeout.
 */
import { writeSync } from 'node:fs';
import t from 'tap';
import { setImmediate as nextTurn } from 'node:timers/promises';
import { Endpoint, freePort } from './helpers.ts';
import type { Teardown } from '../helpers/daemon.ts';
import { AF_INET, SOCK_CLOEXEC, SOCK_DGRAM, SOCK_NONBLOCK } from '../../src/relay/io/native/libc.ts';
import type { Libc } from '../../src/relay/io/native/libc.ts';
import { Linger } from '../../src/relay/io/native/linger.ts';
import { encodeInetAddress } from '../../src/relay/io/native/sockaddr.ts';

let libc: Libc;
try {
  libc = (await import('../../src/relay/io/native/libc-koffi.ts')).bindLibcKoffi();
} catch (error) {
  t.plan(0, `koffi unavailable: ${(error as Error).message}`);
}

/** A non-blocking UDP socket bound on 127.0.0.1, and its port. */
function udpSocket(): { fd: number; port: Promise<number> } {
  const fd = libc.socket(AF_INET, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  const port = freePort().then((port) => {
    const name = encodeInetAddress('127.0.0.1', port, 4);
    const scratch = libc.alloc(name.length);
    scratch.bytes.set(name);
    if (libc.bind(fd, scratch.address, name.length) < 0) throw new Error(`bind: errno ${libc.errno()}`);
    return port;
  });
  return { fd, port };
}

/** A linger over a socket that stays readable (one datagram queued, never read out); `reads()` counts its reads. */
async function lingerOnReadable(t: Teardown) {
  const socket = udpSocket();
  t.teardown(() => libc.close(socket.fd));
  const sender = await Endpoint.open();
  t.teardown(() => sender.close());
  await sender.send(new Uint8Array(64), await socket.port);
  const linger = new Linger(libc);
  t.teardown(() => libc.close(linger.doorbell));
  let count = 0;
  linger.add(socket.fd, () => count++);
  return { linger, fd: socket.fd, reads: () => count };
}

t.test('a session ends although its socket never stops being readable', async (t) => {
  const { linger, fd, reads } = await lingerOnReadable(t);
  linger.after();
  t.ok(reads() > 1, `the session waited for readiness again after the first read (${reads()} reads)`);

  const before = reads();
  linger.after();
  t.equal(reads(), before, 'no second session in the same event-loop turn');

  await nextTurn();
  const release = linger.holdLoop();
  linger.after();
  t.equal(reads(), before, 'no session while the event loop is held');

  release();
  release();
  await nextTurn();
  linger.after();
  t.ok(reads() > before, 'sessions resume once the loop is no longer held (let go twice, counted once)');

  linger.delete(fd);
  await nextTurn();
  const after = reads();
  linger.after();
  t.equal(reads(), after, 'a deleted descriptor is no longer read');
});

t.test('a session on a quiet socket ends without reading', async (t) => {
  const socket = udpSocket();
  t.teardown(() => libc.close(socket.fd));
  await socket.port;
  const linger = new Linger(libc);
  t.teardown(() => libc.close(linger.doorbell));
  let reads = 0;
  linger.add(socket.fd, () => reads++);
  linger.after();
  t.equal(reads, 0, 'nothing was readable, nothing was read');
});

t.test('a rung doorbell ends a session before it reads another frame, and is drained', async (t) => {
  const { linger, reads } = await lingerOnReadable(t);
  // What the pool does after posting a control message (src/relay/doorbell.ts): add 1 to the eventfd's count.
  writeSync(linger.doorbell, new Uint8Array(new BigUint64Array([1n]).buffer));
  linger.after();
  t.equal(reads(), 0, 'the session ended on the doorbell, although its socket stayed readable');

  await nextTurn();
  linger.after();
  t.ok(reads() > 1, `the ring was consumed: the next session forwards again (${reads()} reads)`);
});
