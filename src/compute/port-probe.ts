/** Bind probes: a port counts as free only if it can be bound on the target host and on the wildcard address. */
import { createServer, isIPv4 } from 'node:net';
import { createSocket } from 'node:dgram';
import { nativeBindProbe } from './native-bind-probe.ts';
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

/**
 * A bind on the IPv4 wildcard conflicts with anything holding the port on any IPv4 address, so for an IPv4 host it
 * answers for the host as well: one bind instead of two, and a probe runs at every VPCS start (its console port and
 * tunnel ports). That bind goes through libc where it can (native-bind-probe.ts).
 */
function wildcardToo(kind: 'tcp' | 'udp', bindable: (port: number, host: string) => Promise<boolean>, host: string): PortProbe {
  // Bound at the first probe, not here: koffi stays unloaded in an agent that has not allocated a port yet.
  const wildcard: PortProbe = async (port) => {
    const native = nativeBindProbe();
    return native ? native(kind, port) : bindable(port, '0.0.0.0');
  };
  return isIPv4(host) ? wildcard : async (port) => (await bindable(port, host)) && (await wildcard(port));
}

export const tcpProbe = (host: string): PortProbe => wildcardToo('tcp', tcpBindable, host);
export const udpProbe = (host: string): PortProbe => wildcardToo('udp', udpBindable, host);
