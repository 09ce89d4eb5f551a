/**
 * A router's hardware as GNS3 describes it (platform, chassis, NPE, `slotN`, `wicN`, RAM), checked against the
 * platform tables before anything reaches Dynamips (no I/O). Every problem names the offending field.
 */
import {
  ADAPTERS, chassisOf, MIN_RAM, PLATFORM_SPECS, ramLimit, slotChoices, WIC_PORT_BASE, WICS,
  type Npe, type Platform, type PortKind,
} from './platforms.ts';

export type Hardware = {
  platform: Platform;
  chassis: string | null;
  npe: Npe | null;
  ram: number;
  /** Adapter per slot (null = empty); length = the chassis' slot count. */
  slots: Array<string | null>;
  /** WIC per WIC slot (null = empty); length = the motherboard's WIC slot count. */
  wics: Array<string | null>;
};

export type Problem = { field: string; message: string };

export const SLOT_FIELDS = ['slot0', 'slot1', 'slot2', 'slot3', 'slot4', 'slot5', 'slot6'] as const;
export const WIC_FIELDS = ['wic0', 'wic1', 'wic2'] as const;

/** The hardware of a new router: chassis default, c7200 I/O card (GE-E with the NPE-G2), fixed motherboards. */
export function initialHardware(platform: Platform, chassis: string | null, npe: Npe | null, ram: number): Hardware {
  const spec = PLATFORM_SPECS[platform];
  const model = spec.defaultChassis === null ? null : chassis ?? spec.defaultChassis;
  const layout = chassisOf(platform, model);
  const slots = Array.from({ length: layout.slots }, (_, i) => layout.fixed[i] ?? null);
  if (platform === 'c7200') slots[0] = npe === 'npe-g2' ? 'C7200-IO-GE-E' : 'C7200-IO-FE';
  return { platform, chassis: model, npe: platform === 'c7200' ? npe ?? 'npe-400' : null, ram, slots, wics: Array(spec.wicSlots).fill(null) };
}

/** Problems with the platform-level choices (chassis, NPE, RAM). */
export function platformProblems(hw: Hardware, chassisGiven: boolean, npeGiven: boolean): Problem[] {
  const spec = PLATFORM_SPECS[hw.platform];
  const problems: Problem[] = [];
  if (chassisGiven && (spec.defaultChassis === null || !(hw.chassis! in spec.chassis))) {
    problems.push({
      field: 'chassis',
      message: spec.defaultChassis === null
        ? `${hw.platform} routers do not have chassis`
        : `unknown ${hw.platform} chassis "${hw.chassis}" (${Object.keys(spec.chassis).join(', ')})`,
    });
  }
  if (npeGiven && hw.platform !== 'c7200') problems.push({ field: 'npe', message: `only c7200 routers have an NPE` });
  const max = ramLimit(hw.platform, hw.npe);
  if (hw.ram < MIN_RAM || hw.ram > max) {
    problems.push({ field: 'ram', message: `${hw.ram} MB is outside the ${hw.platform}${hw.npe ? ` ${hw.npe}` : ''} range (${MIN_RAM} to ${max} MB)` });
  }
  return problems;
}

/**
 * Applies `slotN` / `wicN` fields (string = adapter, null or "" = empty) to `hw` and returns what is wrong with them;
 * `hw` is only meaningful when the list is empty.
 */
export function applyModules(hw: Hardware, fields: Record<string, unknown>): Problem[] {
  const problems: Problem[] = [];
  const layout = chassisOf(hw.platform, hw.chassis);
  SLOT_FIELDS.forEach((field, slot) => {
    if (!(field in fields)) return;
    const value = fields[field];
    const adapter = value === null || value === '' ? null : String(value);
    if (slot >= hw.slots.length) {
      if (adapter !== null) problems.push({ field, message: `a ${hw.platform} ${hw.chassis ?? ''} has slots 0 to ${hw.slots.length - 1}`.replace('  ', ' ') });
      return;
    }
    const choices = slotChoices(hw.platform, layout, slot);
    if (adapter === null) {
      if (layout.fixed[slot] || (hw.platform === 'c7200' && slot === 0)) {
        problems.push({ field, message: `slot ${slot} of a ${hw.platform} cannot be empty (${choices.join(', ')})` });
      } else {
        hw.slots[slot] = null;
      }
      return;
    }
    if (!(adapter in ADAPTERS)) problems.push({ field, message: `unknown adapter "${adapter}"` });
    else if (!choices.includes(adapter)) {
      problems.push({ field, message: `adapter "${adapter}" does not fit slot ${slot} of a ${hw.platform} (${choices.join(', ') || 'nothing'})` });
    } else hw.slots[slot] = adapter;
  });
  WIC_FIELDS.forEach((field, wicSlot) => {
    if (!(field in fields)) return;
    const value = fields[field];
    const wic = value === null || value === '' ? null : String(value);
    if (wic === null) {
      if (wicSlot < hw.wics.length) hw.wics[wicSlot] = null;
      return;
    }
    const allowed = PLATFORM_SPECS[hw.platform].wics;
    if (!(wic in WICS)) problems.push({ field, message: `unknown WIC "${wic}"` });
    else if (!allowed.includes(wic)) problems.push({ field, message: `WIC "${wic}" does not fit a ${hw.platform} (${allowed.join(', ') || 'no WICs'})` });
    else if (wicSlot >= hw.wics.length) problems.push({ field, message: `a ${hw.platform} has ${hw.wics.length} WIC slots` });
    else hw.wics[wicSlot] = wic;
  });
  return problems;
}

export type InterfaceRef = { slot: number; port: number; kind: PortKind };

/** Every interface of the router: adapter ports, then WIC ports on slot 0 at 16 × (WIC slot + 1) + i. */
export function interfaces(hw: Hardware): InterfaceRef[] {
  const out: InterfaceRef[] = [];
  hw.slots.forEach((adapter, slot) => {
    const spec = adapter ? ADAPTERS[adapter] : undefined;
    for (let port = 0; port < (spec?.ports ?? 0); port++) out.push({ slot, port, kind: spec!.kind });
  });
  hw.wics.forEach((wic, wicSlot) => {
    const spec = wic ? WICS[wic] : undefined;
    for (let i = 0; i < (spec?.ports ?? 0); i++) out.push({ slot: 0, port: WIC_PORT_BASE * (wicSlot + 1) + i, kind: spec!.kind });
  });
  return out;
}

/** Adapters Dynamips needs a `vm slot_add_binding` for: not the motherboards it builds itself from the chassis. */
export function boundAdapters(hw: Hardware): Array<{ slot: number; adapter: string }> {
  const layout = chassisOf(hw.platform, hw.chassis);
  return hw.slots.flatMap((adapter, slot) => (adapter && !layout.fixed[slot] ? [{ slot, adapter }] : []));
}
