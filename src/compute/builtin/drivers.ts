/**
 * Drivers of the builtin node types hosted by the relay: `ethernet_hub`, `ethernet_switch`, `frame_relay_switch`,
 * `atm_switch`, `cloud` and `nat`.
 */
import type * as v from 'valibot';
import type { NodeDriver } from '../drivers.ts';
import type { BaseNode, NodeInit } from '../node.ts';
import { CircuitSwitchNode } from './circuit-switch.ts';
import { CloudNode } from './cloud.ts';
import { EthernetHubNode } from './ethernet-hub.ts';
import { EthernetSwitchNode } from './ethernet-switch.ts';
import { NatNode } from './nat.ts';
import { circuitSwitchBodies, cloudBodies, hubBodies, natBodies, switchBodies } from './schemas.ts';

/** A driver from a type's create/update bodies and the factory that takes the validated create body. */
function driver<Create>(
  type: string,
  bodies: { create: v.GenericSchema<unknown, Create>; update: v.GenericSchema },
  create: (init: NodeInit, fields: Create) => Promise<BaseNode>,
): NodeDriver {
  return { type, createSchema: bodies.create, updateSchema: bodies.update, create: (init, fields) => create(init, fields as Create) };
}

export function builtinDrivers(): NodeDriver[] {
  return [
    driver('ethernet_hub', hubBodies, (init, fields) => EthernetHubNode.create(init, fields)),
    driver('ethernet_switch', switchBodies, (init, fields) => EthernetSwitchNode.create(init, fields)),
    driver('frame_relay_switch', circuitSwitchBodies('frame_relay'), (init, fields) =>
      CircuitSwitchNode.create(init, 'frame_relay_switch', fields)),
    driver('atm_switch', circuitSwitchBodies('atm'), (init, fields) => CircuitSwitchNode.create(init, 'atm_switch', fields)),
    driver('cloud', cloudBodies, (init, fields) => CloudNode.create(init, fields)),
    driver('nat', natBodies, (init, fields) => NatNode.open(init, fields)),
  ];
}
