/** The host's interfaces as GNS3 lists them (`/network/interfaces`, a cloud's `interfaces` and default ports). */
import { networkInterfaces } from 'node:os';
import { linkMac, linkNames } from './links.ts';

export type HostInterface = {
  id: string;
  name: string;
  ip_address: string;
  netmask: string;
  mac_address: string;
  type: 'ethernet' | 'tap';
  /** Interfaces a GUI hides from cloud port pickers (loopback, hypervisor and container bridges, agent TAPs). */
  special: boolean;
};

const SPECIAL_PREFIXES = ['lo', 'vmnet', 'vboxnet', 'docker', 'lxcbr', 'virbr', 'ovs-system', 'veth', 'fw', 'p2p', 'bridge', 'vmware', 'virtualbox', 'gns3'];

export const isSpecialInterface = (name: string) => SPECIAL_PREFIXES.some((prefix) => name.toLowerCase().startsWith(prefix));

/**
 * Every interface of the host, sorted by name, addressed or not (os.networkInterfaces alone misses unaddressed
 * ones such as a fresh veth or TAP, which GNS3 lists).
 */
export function hostInterfaces(): HostInterface[] {
  const addressed = networkInterfaces();
  const names = [...new Set([...linkNames(), ...Object.keys(addressed)])].sort((a, b) => a.localeCompare(b));
  return names.map((name) => {
    const addresses = addressed[name] ?? [];
    const v4 = addresses.find((a) => a.family === 'IPv4');
    return {
      id: name,
      name,
      ip_address: v4?.address ?? '',
      netmask: v4?.netmask ?? '',
      mac_address: addresses[0]?.mac ?? linkMac(name),
      type: name.startsWith('tap') ? 'tap' : 'ethernet',
      special: isSpecialInterface(name),
    };
  });
}
