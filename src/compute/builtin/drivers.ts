/** Drivers of the builtin node types hosted by the relay: `ethernet_hub`, `ethernet_switch` and `cloud`. */
import type { NodeDriver } from '../drivers.ts';
import { CloudNode } from './cloud.ts';
import { EthernetHubNode } from './ethernet-hub.ts';
import { EthernetSwitchNode } from './ethernet-switch.ts';
import { CloudCreate, CloudUpdate, HubCreate, HubUpdate, SwitchCreate, SwitchUpdate } from './schemas.ts';

export function builtinDrivers(): NodeDriver[] {
  return [
    {
      type: 'ethernet_hub',
      createSchema: HubCreate,
      updateSchema: HubUpdate,
      create: (init, fields) => EthernetHubNode.create(init, fields as HubCreate),
    },
    {
      type: 'ethernet_switch',
      createSchema: SwitchCreate,
      updateSchema: SwitchUpdate,
      create: (init, fields) => EthernetSwitchNode.create(init, fields as SwitchCreate),
    },
    {
      type: 'cloud',
      createSchema: CloudCreate,
      updateSchema: CloudUpdate,
      create: (init, fields) => CloudNode.create(init, fields as CloudCreate),
    },
  ];
}
