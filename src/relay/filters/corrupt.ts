/**
 * `corrupt [P]`: with probability P %, XORs the middle quarter of the frame with a repeating 8-byte pattern (the
 * effect GNS3 users know from uBridge); the frame is still forwarded.
 */
import { intArg } from './args.ts';
import type { PacketFilter, Random } from './types.ts';

const PATTERN = [0x64, 0x13, 0x88, 0x40, 0x1f, 0xa0, 0xaa, 0x55];

/** XORs bytes [len*3/8, len*5/8) of the frame in place. */
export function corruptFrame(frame: Uint8Array): void {
  const span = frame.length >> 2;
  const start = (frame.length - span) >> 1;
  for (let i = 0; i < span; i++) frame[start + i]! ^= PATTERN[i & 7]!;
}

export function corrupt(values: ReadonlyArray<string | number>, random: Random): PacketFilter {
  const chance = intArg('corrupt', values, 0, 0, 100) / 100;
  return {
    name: 'corrupt',
    modifiesFrames: true,
    apply(frame, _dir, now) {
      if (random() < chance) corruptFrame(frame);
      return now;
    },
  };
}
