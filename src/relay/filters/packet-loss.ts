/** `packet_loss [P]`: drops each frame with probability P % (0 really drops nothing, unlike uBridge). */
import { intArg } from './args.ts';
import { DROP } from './types.ts';
import type { PacketFilter, Random } from './types.ts';

export function packetLoss(values: ReadonlyArray<string | number>, random: Random): PacketFilter {
  const chance = intArg('packet_loss', values, 0, 0, 100) / 100;
  return {
    name: 'packet_loss',
    apply: (_frame, _dir, now) => (random() < chance ? DROP : now),
  };
}
