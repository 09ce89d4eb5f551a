/**
 * The NAT network's DHCP (and DNS) server: dnsmasq bound to the NAT bridge only, in the foreground, configured
 * entirely by its argument vector (the host's /etc/dnsmasq.conf is not read).
 */
import { createWriteStream } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { Supervised } from '../process/supervised.ts';
import type { Ipv4Subnet } from './ipv4-subnet.ts';

export type DhcpServerConfig = {
  binary: string;
  bridge: string;
  subnet: Ipv4Subnet;
  /** Folder holding the lease file and the server's log. */
  workDir: string;
};

/** Pure: dnsmasq's arguments for a DHCP pool (and a DNS forwarder) on `bridge` at the subnet's gateway address. */
export function dhcpServerArgs(config: DhcpServerConfig): string[] {
  const { bridge, subnet, workDir } = config;
  return [
    '--keep-in-foreground',
    '--conf-file=/dev/null',
    '--pid-file=',
    '--log-facility=-',
    // Bound to the bridge alone: never to lo (which --interface otherwise adds) nor to the host's uplinks.
    '--bind-interfaces',
    `--interface=${bridge}`,
    '--except-interface=lo',
    `--listen-address=${subnet.gateway}`,
    `--dhcp-range=${subnet.dhcpFirst},${subnet.dhcpLast},${subnet.netmask},12h`,
    '--dhcp-authoritative',
    `--dhcp-leasefile=${join(workDir, 'dnsmasq.leases')}`,
  ];
}

/** How long dnsmasq may take to bind its sockets. */
const READY_MS = 10_000;

/**
 * Starts dnsmasq and resolves once it serves (it logs "started" after binding), or rejects with its own error
 * message (address in use, missing interface, ...).
 */
export async function startDhcpServer(config: DhcpServerConfig): Promise<Supervised> {
  await mkdir(config.workDir, { recursive: true });
  const args = dhcpServerArgs(config);
  const server = await Supervised.spawn(config.binary, args, { cwd: config.workDir, output: 'pipe', grantCapabilities: true });
  const log = createWriteStream(join(config.workDir, 'dnsmasq.log'), { flags: 'a' });
  let output = '';
  const ready = new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`dnsmasq did not start within ${READY_MS} ms: ${output.trim()}`)), READY_MS);
    const onData = (chunk: Buffer) => {
      log.write(chunk);
      output += chunk.toString();
      if (/started, version/.test(output)) {
        clearTimeout(timer);
        resolve();
      }
    };
    server.pipes!.stdout.on('data', onData);
    server.pipes!.stderr.on('data', onData);
    void server.exited.then(({ code, signal }) => {
      clearTimeout(timer);
      log.end();
      reject(new Error(`dnsmasq exited (${signal ?? `code ${code}`}): ${output.trim() || 'no output'}`));
    });
  });
  try {
    await ready;
  } catch (err) {
    await server.stop(0);
    throw err;
  }
  return server;
}
