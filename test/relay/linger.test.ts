/**
 * The native worker's wait for more frames in poll() (src/relay/io/native/linger.ts) must always hand the thread back
 * to the event loop: with a socket that stays readable the whole time (a reader that never drains it stands for a
 * flow that never pauses) a session still ends, a session does not run while a release timer is armed, and there is
 * one session per event-loop turn. A real socket through the real libc binding; a hang fails the test by its timeout.
 */
import t from 'tap';
import { setImmediate as nextTurn } from 'node:timers/promises';
import { Endpoint, freePort } from './helpers.ts';
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

t.test('a session ends although its socket never stops being readable', async (t) => {
  const socket = udpSocket();
  t.teardown(() => libc.close(socket.fd));
  const sender = await Endpoint.open();
  t.teardown(() => sender.close());
  await sender.send(new Uint8Array(64), await socket.port);

  const linger = new Linger(libc);
  let reads = 0;
  linger.add(socket.fd, () => reads++);
  linger.after();
  t.ok(reads > 1, `the session waited for readiness again after the first read (${reads} reads)`);

  const before = reads;
  linger.after();
  t.equal(reads, before, 'no second session in the same event-loop turn');

  await nextTurn();
  const release = linger.timerArmed();
  linger.after();
  t.equal(reads, before, 'no session while a release timer is armed');

  release();
  release();
  await nextTurn();
  linger.after();
  t.ok(reads > before, 'sessions resume once the timer is no longer armed (released twice, counted once)');

  linger.delete(socket.fd);
  await nextTurn();
  const after = reads;
  linger.after();
  t.equal(reads, after, 'a deleted descriptor is no longer read');
});

t.test('a session on a quiet socket ends without reading', async (t) => {
  const socket = udpSocket();
  t.teardown(() => libc.close(socket.fd));
  await socket.port;
  const linger = new Linger(libc);
  let reads = 0;
  linger.add(socket.fd, () => reads++);
  linger.after();
  t.equal(reads, 0, 'nothing was readable, nothing was read');
});
