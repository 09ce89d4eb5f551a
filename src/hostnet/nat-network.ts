/**
 * patchbay's own NAT network, used by NAT nodes when the host has no libvirt `virbr0`: a bridge holding the subnet's
 * gateway address, dnsmasq serving DHCP on it, and an nftables table masquerading the subnet towards the host's
 * uplinks. Created for the first NAT node that needs it and removed with the last one; every part is recorded in the
 * ledger before it exists.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fail } from '../errors/index.ts';
import type { Supervised } from '../process/supervised.ts';
import { requireCapabilities } from './capabilities.ts';
import { startDhcpServer } from './dhcp-server.ts';
import { subnetsOverlap, type Ipv4Subnet } from './ipv4-subnet.ts';
import { describeHostObject, processObject, type HostObject, type HostObjectLedger } from './ledger.ts';
import { addAddress, createBridge, ipv4Assignments, linkExists, setLinkUp } from './links.ts';
import { applyMasquerade, masqueradeTableName, NFT_FAMILY } from './masquerade.ts';

export type NatNetworkConfig = {
  bridge: string;
  subnet: Ipv4Subnet;
  /** dnsmasq binary. */
  dhcpServer: string;
  /** Folder for dnsmasq's lease file and log. */
  workDir: string;
};

export type NatNetworkHooks = {
  ledger: HostObjectLedger;
  /** Conditions that do not stop the network from being made but that the user should hear about. */
  warn: (message: string) => void;
};

function ipForwardingEnabled(): boolean {
  try {
    return readFileSync('/proc/sys/net/ipv4/ip_forward', 'utf8').trim() === '1';
  } catch {
    return false;
  }
}

/** An IPv4 address of another interface inside the NAT subnet would make the host route the subnet two ways. */
async function overlappingInterface(subnet: Ipv4Subnet): Promise<string | null> {
  const clash = (await ipv4Assignments()).find((a) => subnetsOverlap(subnet, a));
  return clash ? `${clash.link} (${clash.address}/${clash.prefixlen})` : null;
}

export class NatNetwork {
  readonly config: NatNetworkConfig;
  readonly #hooks: NatNetworkHooks;
  #users = 0;
  /** Objects made for the current network, in creation order. */
  #made: HostObject[] = [];
  #dhcp: Supervised | null = null;
  /** acquire/release run one at a time. */
  #queue: Promise<unknown> = Promise.resolve();

  constructor(config: NatNetworkConfig, hooks: NatNetworkHooks) {
    this.config = config;
    this.#hooks = hooks;
  }

  get bridge(): string {
    return this.config.bridge;
  }

  #serial<T>(task: () => Promise<T>): Promise<T> {
    const run = this.#queue.then(task, task);
    this.#queue = run.catch(() => undefined);
    return run;
  }

  /** Makes sure the network exists and counts one more user; a 409 says why it cannot be made. */
  acquire(): Promise<void> {
    return this.#serial(async () => {
      if (this.#users === 0) await this.#create();
      this.#users++;
    });
  }

  /** One user fewer; the last one removes the network. */
  release(): Promise<void> {
    return this.#serial(async () => {
      if (this.#users === 0) return;
      this.#users--;
      if (this.#users === 0) await this.#destroy();
    });
  }

  async #create(): Promise<void> {
    const { bridge, subnet } = this.config;
    requireCapabilities(['CAP_NET_ADMIN', 'CAP_NET_BIND_SERVICE'], "patchbay's NAT network");
    if (linkExists(bridge)) {
      throw fail('NAT_BRIDGE_NAME_TAKEN', bridge);
    }
    const clash = await overlappingInterface(subnet);
    if (clash) throw fail('NAT_SUBNET_OVERLAPS', subnet.cidr, clash);
    const { ledger } = this.#hooks;
    try {
      this.#made.push(await ledger.createLink(bridge, async () => {
        await createBridge(bridge);
        await addAddress(bridge, `${subnet.gateway}/${subnet.prefix}`);
        await setLinkUp(bridge);
      }));
      const table: HostObject = { kind: 'nft_table', family: NFT_FAMILY, name: masqueradeTableName(bridge) };
      await ledger.create(table, () => applyMasquerade(table.name, bridge, subnet));
      this.#made.push(table);
      this.#dhcp = await startDhcpServer({ binary: this.config.dhcpServer, bridge, subnet, workDir: this.config.workDir });
      const dhcp = processObject(this.#dhcp.pid, [this.#dhcp.file, ...this.#dhcp.args]);
      await ledger.record(dhcp);
      this.#made.push(dhcp);
    } catch (err) {
      await this.#destroy();
      throw fail('NAT_NETWORK_FAILED', bridge, (err as Error).message);
    }
    if (!ipForwardingEnabled()) {
      this.#hooks.warn(
        `IPv4 forwarding is disabled on this host (net.ipv4.ip_forward = 0): nodes on the NAT network "${bridge}" reach its ` +
          `gateway ${subnet.gateway} but not beyond; enable forwarding to let them out`,
      );
    }
  }

  /** Removes what #create made, newest first (the DHCP server gracefully); a part that resists is reported, not skipped over. */
  async #destroy(): Promise<void> {
    await this.#dhcp?.stop(1000);
    this.#dhcp = null;
    const { ledger } = this.#hooks;
    for (const object of this.#made.reverse()) {
      await ledger.remove(object).catch((err) => this.#hooks.warn(`Cannot remove ${describeHostObject(object)}: ${(err as Error).message}`));
    }
    this.#made = [];
  }
}

/** The working folder of the NAT network on `bridge` under the agent's state folder. */
export const natWorkDir = (stateDir: string, bridge: string) => join(stateDir, `nat-${bridge}`);
