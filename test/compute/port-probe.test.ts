/**
 * The bind probes the port pools use, against real sockets: a port held on any IPv4 address, by a listener or a UDP
 * socket, is taken; a free or freed one is not. On Node/Linux these go through libc (native-bind-probe.ts), bound at
 * the first probe.
 */
import t from 'tap';
import { connect, createServer, type Server } from 'node:net';
import { createSocket, type Socket } from 'node:dgram';
import { nativeBindProbe } from '../../src/compute/native-bind-probe.ts';
import { tcpProbe, udpProbe } from '../../src/compute/port-probe.ts';
import { withDaemon, withProject } from '../helpers/daemon.ts';
import { tcpFree, udpFree } from '../helpers/ports.ts';
import { readFileSync } from 'node:fs';

const listening = (host: string) => new Promise<Server>((resolve) => {
  const server = createServer();
  server.listen({ host, port: 0, exclusive: true }, () => resolve(server));
});
const portOf = (server: Server) => (server.address() as { port: number }).port;
const close = (server: Server) => new Promise((resolve) => server.close(resolve));
const closeUdp = (socket: Socket) => new Promise<void>((resolve) => socket.close(() => resolve()));
const boundUdp = (host: string) => new Promise<Socket>((resolve) => {
  const socket = createSocket('udp4');
  socket.bind({ address: host, port: 0, exclusive: true }, () => resolve(socket));
});

t.test('the libc probe is what Node on Linux uses', async (t) => {
  t.type(nativeBindProbe(), 'function');
});

t.test('TCP: a listener on 127.0.0.1 or on the wildcard takes the port; closed, it is free again', async (t) => {
  const probe = tcpProbe('127.0.0.1');
  for (const host of ['127.0.0.1', '0.0.0.0']) {
    const server = await listening(host);
    const port = portOf(server);
    t.equal(await probe(port), false, `taken by a listener on ${host}`);
    await close(server);
    t.equal(await probe(port), true, 'free once closed');
  }
});

t.test('TCP: a port left in TIME_WAIT by a closed connection counts as free, as for a Node server', async (t) => {
  const server = await listening('127.0.0.1');
  const port = portOf(server);
  await new Promise<void>((resolve) => {
    server.once('connection', (peer) => peer.destroy());
    const client = connect({ host: '127.0.0.1', port });
    client.on('close', () => resolve());
    client.on('error', () => {});
  });
  await close(server);
  t.equal(await tcpProbe('127.0.0.1')(port), true);
});

t.test('UDP: a socket bound on 127.0.0.1 or on the wildcard takes the port; closed, it is free again', async (t) => {
  const probe = udpProbe('0.0.0.0');
  for (const host of ['127.0.0.1', '0.0.0.0']) {
    const socket = await boundUdp(host);
    const { port } = socket.address();
    t.equal(await probe(port), false, `taken by a socket on ${host}`);
    await closeUdp(socket);
    t.equal(await probe(port), true, 'free once closed');
  }
});

t.test('a TCP listener does not take the UDP port of the same number, nor the other way round', async (t) => {
  // The kernel picks each port; another test's emulator may hold the other protocol's port of that number, so a port
  // is used only once Node's own socket has found that one free (the probe is what is under test).
  let server = await listening('0.0.0.0');
  for (let tries = 0; tries < 20 && !(await udpFree(portOf(server))); tries++) {
    await close(server);
    server = await listening('0.0.0.0');
  }
  t.equal(await udpProbe('0.0.0.0')(portOf(server)), true);
  await close(server);
  let socket = await boundUdp('0.0.0.0');
  for (let tries = 0; tries < 20 && !(await tcpFree(socket.address().port)); tries++) {
    await closeUdp(socket);
    socket = await boundUdp('0.0.0.0');
  }
  t.equal(await tcpProbe('127.0.0.1')(socket.address().port), true);
  await closeUdp(socket);
});

// koffi maps ≈ 2 MiB into the agent: it must wait for the first port the agent hands out (issue 12, idle RSS).
t.test('an idle agent has not loaded the libc binding; its first port allocation does', async (t) => {
  const daemon = await withDaemon(t);
  const koffiMapped = () => /koffi/.test(readFileSync(`/proc/${daemon.child.pid}/maps`, 'utf8'));
  await daemon.json('/v2/compute/version');
  t.notOk(koffiMapped(), 'not loaded while idle');
  const project = await withProject(t, daemon, 'probe');
  await project.udpPort();
  t.ok(koffiMapped(), 'loaded by the first probe');
});
