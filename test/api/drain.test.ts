/** The shutdown drain (in-flight middleware): requests in flight finish, new ones get 503, and the wait is bounded. */
import t from 'tap';
import { Hono } from 'hono';
import { InFlight } from '../../src/api/middleware/in-flight.ts';

t.test('drain: in-flight requests finish, new ones get 503, drain resolves when idle', async (t) => {
  const inFlight = new InFlight();
  let release!: () => void;
  const gate = new Promise<void>((resolve) => (release = resolve));
  const app = new Hono();
  app.use('*', inFlight.middleware());
  app.get('/slow', async (c) => {
    await gate;
    return c.json({ done: true });
  });
  app.get('/fast', (c) => c.json({ done: true }));

  const slow = app.request('http://localhost/slow');
  await new Promise((resolve) => setImmediate(resolve));
  t.equal(inFlight.count, 1, 'one request in flight');
  let drained = false;
  const drain = inFlight.drain(60_000).then((left) => {
    drained = true;
    return left;
  });
  const refused = await app.request('http://localhost/fast');
  t.equal(refused.status, 503, 'a new request is refused while draining');
  t.same(await refused.json(), { status: 503, message: 'The server is shutting down' });
  t.notOk(drained, 'the drain waits for the slow request');
  release();
  t.equal((await slow).status, 200, 'the in-flight request completes normally');
  t.equal(await drain, 0, 'drain resolves with nothing left');
});

t.test('drain gives up after its bound and reports what is still running', async (t) => {
  const inFlight = new InFlight();
  const app = new Hono();
  app.use('*', inFlight.middleware());
  app.get('/stuck', () => new Promise<Response>(() => {}));
  void app.request('http://localhost/stuck');
  await new Promise((resolve) => setImmediate(resolve));
  t.equal(await inFlight.drain(0), 1, 'one request still running');
});
