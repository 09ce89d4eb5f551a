/**
 * The seven Dynamips router platforms as GNS3 2.2 models them: chassis, slots and the adapters and WICs each slot
 * accepts (as Dynamips 0.2.24 registers them), fixed motherboard adapters, and per-platform defaults.
 */

export const PLATFORMS = ['c7200', 'c3745', 'c3725', 'c3600', 'c2691', 'c2600', 'c1700'] as const;
export type Platform = (typeof PLATFORMS)[number];

export const NPES = ['npe-100', 'npe-150', 'npe-175', 'npe-200', 'npe-225', 'npe-300', 'npe-400', 'npe-g2'] as const;
export type Npe = (typeof NPES)[number];

export type PortKind = 'Ethernet' | 'FastEthernet' | 'GigabitEthernet' | 'Serial' | 'ATM' | 'POS';

/** An adapter's interfaces. */
export type AdapterSpec = { ports: number; kind: PortKind };

export const ADAPTERS: Readonly<Record<string, AdapterSpec>> = {
  'C7200-IO-FE': { ports: 1, kind: 'FastEthernet' },
  'C7200-IO-2FE': { ports: 2, kind: 'FastEthernet' },
  'C7200-IO-GE-E': { ports: 1, kind: 'GigabitEthernet' },
  'PA-FE-TX': { ports: 1, kind: 'FastEthernet' },
  'PA-2FE-TX': { ports: 2, kind: 'FastEthernet' },
  'PA-GE': { ports: 1, kind: 'GigabitEthernet' },
  'PA-4E': { ports: 4, kind: 'Ethernet' },
  'PA-8E': { ports: 8, kind: 'Ethernet' },
  'PA-4T+': { ports: 4, kind: 'Serial' },
  'PA-8T': { ports: 8, kind: 'Serial' },
  'PA-A1': { ports: 1, kind: 'ATM' },
  'PA-POS-OC3': { ports: 1, kind: 'POS' },
  'NM-1E': { ports: 1, kind: 'Ethernet' },
  'NM-4E': { ports: 4, kind: 'Ethernet' },
  'NM-1FE-TX': { ports: 1, kind: 'FastEthernet' },
  'NM-16ESW': { ports: 16, kind: 'FastEthernet' },
  'NM-4T': { ports: 4, kind: 'Serial' },
  'GT96100-FE': { ports: 2, kind: 'FastEthernet' },
  'Leopard-2FE': { ports: 2, kind: 'FastEthernet' },
  'C2600-MB-1E': { ports: 1, kind: 'Ethernet' },
  'C2600-MB-2E': { ports: 2, kind: 'Ethernet' },
  'C2600-MB-1FE': { ports: 1, kind: 'FastEthernet' },
  'C2600-MB-2FE': { ports: 2, kind: 'FastEthernet' },
  'C1700-MB-1FE': { ports: 1, kind: 'FastEthernet' },
  'C1700-MB-WIC1': { ports: 0, kind: 'Serial' },
};

/** WICs and the interfaces each adds on adapter 0. */
export const WICS: Readonly<Record<string, { ports: number; kind: PortKind }>> = {
  'WIC-1T': { ports: 1, kind: 'Serial' },
  'WIC-2T': { ports: 2, kind: 'Serial' },
  'WIC-1ENET': { ports: 1, kind: 'Ethernet' },
};

/** The hardware of one chassis: slot count and the motherboard adapters it always has. */
export type Chassis = { slots: number; fixed: Readonly<Record<number, string>> };

export type PlatformDefaults = {
  ram: number;
  nvram: number;
  disk0: number;
  disk1: number;
  clock_divisor: number;
  sparsemem: boolean;
  /** I/O memory percentage; the c7200 has none. */
  iomem: number | null;
};

export type PlatformSpec = {
  cpu: 'mips' | 'ppc';
  defaults: PlatformDefaults;
  /** Chassis models (c3600, c2600, c1700) with GNS3's default; platforms without chassis have one unnamed entry. */
  chassis: Readonly<Record<string, Chassis>>;
  defaultChassis: string | null;
  /** Network modules / port adapters a removable slot accepts. */
  modules: readonly string[];
  wics: readonly string[];
  /** WIC slots of the motherboard, as Dynamips 0.2.24 has them (gns3-server's tables say 3 everywhere). */
  wicSlots: number;
  /** Largest RAM in MB the platform's memory map takes (for the c7200 it depends on the NPE, see ramLimit). */
  maxRam: number;
};

const NM_36XX = ['NM-1E', 'NM-4E', 'NM-1FE-TX', 'NM-16ESW', 'NM-4T'];
const NM_37XX = ['NM-1FE-TX', 'NM-16ESW', 'NM-4T'];
const PAS = ['PA-FE-TX', 'PA-2FE-TX', 'PA-GE', 'PA-4E', 'PA-8E', 'PA-4T+', 'PA-8T', 'PA-A1', 'PA-POS-OC3'];
export const C7200_IO_CARDS = ['C7200-IO-FE', 'C7200-IO-2FE', 'C7200-IO-GE-E'];
const SERIAL_WICS = ['WIC-1T', 'WIC-2T'];

const c2600Chassis = (mb: string): Chassis => ({ slots: 2, fixed: { 0: mb } });

/** The c3745, c3725 and c2691 share the GT96100 motherboard, their modules, WICs and defaults but for NVRAM. */
function gt96100(size: { nvram: number; slots: number; wicSlots: number; maxRam: number }): PlatformSpec {
  return {
    cpu: 'mips',
    defaults: { ram: 128, nvram: size.nvram, disk0: 16, disk1: 0, clock_divisor: 8, sparsemem: true, iomem: 5 },
    chassis: { '': { slots: size.slots, fixed: { 0: 'GT96100-FE' } } },
    defaultChassis: null,
    modules: NM_37XX,
    wics: SERIAL_WICS,
    wicSlots: size.wicSlots,
    maxRam: size.maxRam,
  };
}

export const PLATFORM_SPECS: Readonly<Record<Platform, PlatformSpec>> = {
  c7200: {
    cpu: 'mips',
    defaults: { ram: 256, nvram: 128, disk0: 64, disk1: 0, clock_divisor: 4, sparsemem: true, iomem: null },
    chassis: { '': { slots: 7, fixed: {} } },
    defaultChassis: null,
    modules: PAS,
    wics: [],
    wicSlots: 0,
    maxRam: 1024,
  },
  c3745: gt96100({ nvram: 304, slots: 5, wicSlots: 3, maxRam: 512 }),
  c3725: gt96100({ nvram: 112, slots: 3, wicSlots: 2, maxRam: 256 }),
  c2691: gt96100({ nvram: 112, slots: 2, wicSlots: 3, maxRam: 256 }),
  c3600: {
    cpu: 'mips',
    defaults: { ram: 128, nvram: 128, disk0: 0, disk1: 0, clock_divisor: 4, sparsemem: true, iomem: 5 },
    chassis: {
      '3620': { slots: 2, fixed: {} },
      '3640': { slots: 4, fixed: {} },
      '3660': { slots: 7, fixed: { 0: 'Leopard-2FE' } },
    },
    defaultChassis: '3640',
    modules: NM_36XX,
    wics: [],
    wicSlots: 0,
    maxRam: 256,
  },
  c2600: {
    cpu: 'ppc',
    defaults: { ram: 64, nvram: 128, disk0: 0, disk1: 0, clock_divisor: 8, sparsemem: false, iomem: 15 },
    chassis: {
      '2610': c2600Chassis('C2600-MB-1E'),
      '2611': c2600Chassis('C2600-MB-2E'),
      '2620': c2600Chassis('C2600-MB-1FE'),
      '2621': c2600Chassis('C2600-MB-2FE'),
      '2610XM': c2600Chassis('C2600-MB-1FE'),
      '2611XM': c2600Chassis('C2600-MB-2FE'),
      '2620XM': c2600Chassis('C2600-MB-1FE'),
      '2621XM': c2600Chassis('C2600-MB-2FE'),
      '2650XM': c2600Chassis('C2600-MB-1FE'),
      '2651XM': c2600Chassis('C2600-MB-2FE'),
    },
    defaultChassis: '2610',
    modules: ['NM-1E', 'NM-4E', 'NM-1FE-TX', 'NM-16ESW'],
    wics: SERIAL_WICS,
    wicSlots: 2,
    maxRam: 256,
  },
  c1700: {
    cpu: 'ppc',
    defaults: { ram: 64, nvram: 32, disk0: 0, disk1: 0, clock_divisor: 8, sparsemem: false, iomem: 15 },
    chassis: {
      '1720': { slots: 1, fixed: { 0: 'C1700-MB-1FE' } },
      '1721': { slots: 1, fixed: { 0: 'C1700-MB-1FE' } },
      '1750': { slots: 1, fixed: { 0: 'C1700-MB-1FE' } },
      '1751': { slots: 2, fixed: { 0: 'C1700-MB-1FE', 1: 'C1700-MB-WIC1' } },
      '1760': { slots: 2, fixed: { 0: 'C1700-MB-1FE', 1: 'C1700-MB-WIC1' } },
    },
    defaultChassis: '1720',
    modules: [],
    wics: [...SERIAL_WICS, 'WIC-1ENET'],
    wicSlots: 2,
    maxRam: 256,
  },
};

/** Dynamips' RAM ceiling per c7200 NPE (it silently clamps larger values; we refuse them instead). */
const NPE_MAX_RAM: Readonly<Record<Npe, number>> = {
  'npe-100': 256, 'npe-150': 256, 'npe-175': 256, 'npe-200': 256, 'npe-225': 256, 'npe-300': 256, 'npe-400': 512, 'npe-g2': 1024,
};

/** The largest RAM (MB) a router of this platform (and NPE) accepts. */
export function ramLimit(platform: Platform, npe: Npe | null): number {
  return platform === 'c7200' && npe ? NPE_MAX_RAM[npe] : PLATFORM_SPECS[platform].maxRam;
}

/** Smallest RAM we accept: below this not even ROMMON fits. */
export const MIN_RAM = 16;

/** The chassis hardware of a router (the unnamed entry for platforms without chassis models). */
export function chassisOf(platform: Platform, chassis: string | null): Chassis {
  const spec = PLATFORM_SPECS[platform];
  return spec.chassis[chassis ?? ''] ?? spec.chassis[spec.defaultChassis ?? '']!;
}

/** What a slot may hold: its fixed adapter, or (c7200 slot 0) an I/O card, or one of the platform's modules. */
export function slotChoices(platform: Platform, chassis: Chassis, slot: number): readonly string[] {
  const fixed = chassis.fixed[slot];
  if (fixed) return [fixed];
  if (platform === 'c7200' && slot === 0) return C7200_IO_CARDS;
  return PLATFORM_SPECS[platform].modules;
}

/** WIC interfaces sit on adapter 0 at port numbers WIC_PORT_BASE × (WIC slot + 1) + i, as in Dynamips. */
export const WIC_PORT_BASE = 16;
