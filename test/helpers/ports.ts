import { readFileSync } from 'node:fs';
/** Checks that nothing on the host still holds a port. */
import { createServer } from 'node:net';
import { createSocket } from 'node:dgram';

export const tcpFree = (port: number, host = '127.0.0.1') =>
  new Promise<boolean>((resolve) => {
    const server = createServer();
    server.once('error', () => resolve(false));
    server.listen({ port, host, exclusive: true }, () => server.close(() => resolve(true)));
  });

export const udpFree = (port: number) =>
  new Promise<boolean>((resolve) => {
    const socket = createSocket('udp4');
    socket.once('error', () => {
      socket.close();
      resolve(false);
    });
    socket.bind({ port, address: '0.0.0.0', exclusive: true }, () => socket.close(() => resolve(true)));
  });

/**
 * True while `pid` runs. A zombie counts as gone: it holds no port or memory, and in a container without a reaping
 * init, the setsid()'d child VPCS 0.8 forks stays a zombie after it exits.
 */
export const processAlive = (pid: number) => {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2)[0] !== 'Z';
  } catch {
    return false;
  }
};
