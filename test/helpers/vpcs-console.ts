/** Driving VPCS consoles in tests: set an address and ping, robust to a loaded machine. */
import type { TelnetClient } from './telnet.ts';

const escape = (ip: string) => ip.replaceAll('.', '\\.');

/** Sets `ip`/24 and waits until VPCS confirms it (not merely echoes the command). */
export async function setIp(console: TelnetClient, ip: string): Promise<void> {
  await console.run(`ip ${ip}/24`, new RegExp(`: ${escape(ip)} 255\\.255\\.255\\.0`), 20_000);
}

/**
 * Pings `target` and returns the output of the attempt. A first ping can find the peer still checking for a duplicate
 * address or ARP unanswered on a busy machine, so an unanswered attempt is retried (`attempts` in all); the output
 * of the last attempt is returned either way, for the caller to assert on.
 */
export async function ping(console: TelnetClient, target: string, { count = 3, attempts = 3 } = {}): Promise<string> {
  const done = new RegExp(`icmp_seq=${count}[^\\n]*\\n|not reachable`, 'i');
  let output = '';
  for (let attempt = 0; attempt < attempts; attempt++) {
    const from = console.text.length;
    await console.run(`ping ${target} -c ${count}`, done, 30_000);
    output = console.text.slice(from);
    if (new RegExp(`from ${escape(target)}|${escape(target)} icmp_seq`).test(output)) return output;
    await new Promise((resolve) => setTimeout(resolve, 1000));
  }
  return output;
}
