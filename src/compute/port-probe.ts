/** Bind probes: a port counts as free only if we can bind it on the target host and on the wildcard address. */
import { createServer } from 'node:net';
import { createSocket } from 'node:dgram';
import type { PortProbe } from './port-pool.ts';

function tcpBindable(port: number, host: string): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once('error', () => resolve(false));
    server.listen({ port, host, exclusive: true }, () => server.close(() => resolve(true)));
  });
}

function udpBindable(port: number, host: string): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = createSocket('udp4');
    socket.once('error', () => {
      socket.close();
      resolve(false);
    });
    socket.bind({ port, address: host, exclusive: true }, () => socket.close(() => resolve(true)));
  });
}

const wildcardToo = (bindable: (port: number, host: string) => Promise<boolean>, host: string): PortProbe =>
  async (port) => (await bindable(port, host)) && (host === '0.0.0.0' || (await bindable(port, '0.0.0.0')));

export const tcpProbe = (host: string): PortProbe => wildcardToo(tcpBindable, host);
export const udpProbe = (host: string): PortProbe => wildcardToo(udpBindable, host);
