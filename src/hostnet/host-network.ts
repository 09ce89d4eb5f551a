/**
 * What the compute uses to reach the host's network: where NAT nodes attach, agent-owned TAP devices, and the ledger
 * of every host object the agent made (kept in the state file, emptied by close()).
 */
import { requireCapabilities } from './capabilities.ts';
import { HostCommandError } from './host-command.ts';
import type { Ipv4Subnet } from './ipv4-subnet.ts';
import { describeHostObject, HostObjectLedger, type HostObject, type LinkObject } from './ledger.ts';
import { createTap, linkExists } from './links.ts';
import { NatNetwork, natWorkDir } from './nat-network.ts';

export type HostNetworkConfig = {
  /** Existing interface NAT nodes attach to when present (GNS3: default_nat_interface, libvirt's virbr0); '' for none. */
  natInterface: string;
  /** Name of the bridge patchbay makes when natInterface is absent. */
  natBridge: string;
  natSubnet: Ipv4Subnet;
  /** dnsmasq binary. */
  dhcpServer: string;
  stateDir: string;
};

export type HostNetworkHooks = {
  /** Writes the ledger to the state file; awaited before each object is created. */
  persist?: (objects: readonly HostObject[]) => Promise<void>;
  warn?: (message: string) => void;
};

/** Where a NAT node's port goes; `release` when the node no longer needs it. */
export type NatAttachment = { interface: string; release: () => Promise<void> };

/** Stem of agent-made TAP names, as GNS3 names the TAPs uBridge makes for bridges (`gns3tap<i>-<port>`). */
const TAP_STEM = 'gns3tap';

export class HostNetwork {
  readonly config: HostNetworkConfig;
  readonly ledger: HostObjectLedger;
  readonly #nat: NatNetwork;
  readonly #warn: (message: string) => void;

  constructor(config: HostNetworkConfig, hooks: HostNetworkHooks = {}) {
    this.config = config;
    this.ledger = new HostObjectLedger(hooks.persist);
    this.#warn = hooks.warn ?? (() => {});
    this.#nat = new NatNetwork(
      { bridge: config.natBridge, subnet: config.natSubnet, dhcpServer: config.dhcpServer, workDir: natWorkDir(config.stateDir, config.natBridge) },
      { ledger: this.ledger, warn: this.#warn },
    );
  }

  /**
   * Where a NAT node attaches: the configured interface when the host has it (libvirt's virbr0), otherwise
   * patchbay's own NAT network, made on first use and removed after the last release.
   */
  async acquireNat(): Promise<NatAttachment> {
    const { natInterface } = this.config;
    if (natInterface !== '' && natInterface !== this.#nat.bridge && linkExists(natInterface)) {
      // Its port will be a TAP device on that bridge.
      requireCapabilities(['CAP_NET_ADMIN'], `A NAT node on ${natInterface}`);
      return { interface: natInterface, release: async () => {} };
    }
    await this.#nat.acquire();
    let released = false;
    return {
      interface: this.#nat.bridge,
      release: async () => {
        if (released) return;
        released = true;
        await this.#nat.release();
      },
    };
  }

  /**
   * Creates a TAP device owned by the agent for port `port`: `gns3tap<i>-<port>` with the first free i (the kernel
   * refuses a taken name atomically, so agents racing for a name each end up with their own).
   */
  async createTap(port: number): Promise<LinkObject> {
    for (let i = 0; i < 1000; i++) {
      const name = `${TAP_STEM}${i}-${port}`;
      if (linkExists(name)) continue;
      try {
        return await this.ledger.createLink(name, () => createTap(name));
      } catch (err) {
        if (err instanceof HostCommandError && linkExists(name)) continue; // Taken meanwhile.
        throw err;
      }
    }
    throw new Error(`No free TAP name ${TAP_STEM}<i>-${port}`);
  }

  /** Creates a TAP device of a given name (a cloud's `tap` mapping naming one that does not exist yet). */
  async createTapNamed(name: string): Promise<LinkObject> {
    return this.ledger.createLink(name, () => createTap(name));
  }

  /** Removes a host object the agent made (a TAP, ...) and forgets it. */
  async remove(object: HostObject): Promise<void> {
    await this.ledger.remove(object);
  }

  /** Shutdown: removes whatever the nodes did not release (they normally have), newest first. */
  async close(): Promise<void> {
    for (const object of [...this.ledger.objects].reverse()) {
      await this.ledger.remove(object).catch((err) => this.#warn(`Cannot remove ${describeHostObject(object)}: ${(err as Error).message}`));
    }
  }
}
