/**
 * Drivers of the builtin node types hosted by the relay: `ethernet_hub`, `ethernet_switch`, `frame_relay_switch`,
 * `atm_switch`, `cloud` and `nat`.
 */
import type { NodeDriver } from '../drivers.ts';
import { CircuitSwitchNode } from './circuit-switch.ts';
import { CloudNode } from './cloud.ts';
import { EthernetHubNode } from './ethernet-hub.ts';
import { EthernetSwitchNode } from './ethernet-switch.ts';
import { NatNode } from './nat.ts';
import {
  circuitSwitchSchemas, CloudCreate, CloudUpdate, HubCreate, HubUpdate, NatCreate, NatUpdate, SwitchCreate, SwitchUpdate,
  type CircuitSwitchCreate,
} from './schemas.ts';

const frameRelay = circuitSwitchSchemas('frame_relay');
const atm = circuitSwitchSchemas('atm');

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
      type: 'frame_relay_switch',
      createSchema: frameRelay.create,
      updateSchema: frameRelay.update,
      create: (init, fields) => CircuitSwitchNode.create(init, 'frame_relay_switch', fields as CircuitSwitchCreate),
    },
    {
      type: 'atm_switch',
      createSchema: atm.create,
      updateSchema: atm.update,
      create: (init, fields) => CircuitSwitchNode.create(init, 'atm_switch', fields as CircuitSwitchCreate),
    },
    {
      type: 'cloud',
      createSchema: CloudCreate,
      updateSchema: CloudUpdate,
      create: (init, fields) => CloudNode.create(init, fields as CloudCreate),
    },
    {
      type: 'nat',
      createSchema: NatCreate,
      updateSchema: NatUpdate,
      create: (init, fields) => NatNode.open(init, fields as NatCreate),
    },
  ];
}
