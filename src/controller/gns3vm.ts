/**
 * GNS3 VM settings. patchbay runs no GNS3 VM: the settings are kept (and persisted) so clients read back what they
 * wrote, the engines are listed as gns3-server lists them on Linux, and no engine has VMs to offer.
 */
import { fail } from '../errors/index.ts';

export type Gns3VmSettings = {
  enable: boolean; vmname: string | null; when_exit: 'stop' | 'suspend' | 'keep'; headless: boolean;
  engine: string | null; allocate_vcpus_ram: boolean; vcpus: number; ram: number; port: number;
};

/** gns3-server's defaults: disabled, VMware engine. */
export const DEFAULT_GNS3VM: Gns3VmSettings = {
  enable: false, engine: 'vmware', vmname: null, when_exit: 'stop', headless: false, allocate_vcpus_ram: true, vcpus: 1, ram: 2048, port: 80,
};

/** The engines gns3-server offers on Linux (Hyper-V only on Windows). */
export const GNS3VM_ENGINES = [
  { engine_id: 'vmware', name: 'VMware Workstation / Player (recommended)', description: 'VMware is the recommended choice for best performances.', support_when_exit: true, support_headless: true, support_ram: true },
  { engine_id: 'virtualbox', name: 'VirtualBox', description: 'VirtualBox support. Nested virtualization for both Intel and AMD processors is supported since version 6.1', support_when_exit: true, support_headless: true, support_ram: true },
  { engine_id: 'remote', name: 'Remote', description: 'Use a remote GNS3 server as the GNS3 VM.', support_when_exit: false, support_headless: false, support_ram: false },
] as const;

/**
 * The settings after a client's change. Enabling a VM by name is where gns3-server starts it and fails here (no
 * engine can run); patchbay refuses that with 409 and keeps the previous settings.
 */
export function changedGns3Vm(current: Gns3VmSettings, changes: Partial<Gns3VmSettings>): Gns3VmSettings {
  const next = { ...current, ...Object.fromEntries(Object.entries(changes).filter(([, value]) => value !== undefined)) };
  if (next.enable && next.vmname) throw fail('GNS3VM_UNAVAILABLE', next.vmname, String(next.engine));
  return next;
}
