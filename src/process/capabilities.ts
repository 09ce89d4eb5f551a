/**
 * Linux capabilities the service is granted (systemd's AmbientCapabilities: CAP_NET_ADMIN, CAP_NET_RAW,
 * CAP_NET_BIND_SERVICE) serve the agent itself and the host networking tools it runs (ip, nft, dnsmasq). Ambient
 * capabilities pass to every child across exec, so without this each emulator (VPCS, QEMU, Dynamips, Xvfb, x11vnc,
 * qemu-img, ...) would run with them too. At start-up the agent empties the ambient and inheritable sets of its main
 * thread, the thread every spawn happens on (posix_spawn, libuv's fork and Deno's Command all copy the calling
 * thread's credentials); its own effective and permitted sets are untouched. `withGrantedCapabilities` puts them
 * back for the duration of one synchronous spawn of a host networking tool.
 *
 * Capability sets are per thread: the relay's worker threads keep their effective capabilities (TAP and raw
 * endpoints) and spawn nothing.
 */
import { readFileSync } from 'node:fs';
import { capset, prctl } from './thread-calls.ts';

/** The four sets of one thread, one bit per capability number. */
export type CapabilitySets = { effective: bigint; permitted: bigint; inheritable: bigint; ambient: bigint };

// <linux/prctl.h>: prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_RAISE | PR_CAP_AMBIENT_CLEAR_ALL, ...).
const [PR_CAP_AMBIENT, PR_CAP_AMBIENT_RAISE, PR_CAP_AMBIENT_CLEAR_ALL] = [47, 2, 4];
/** <linux/capability.h>: the version whose sets are two 32-bit words each. */
const LINUX_CAPABILITY_VERSION_3 = 0x20080522;

/** Pure: the sets in a /proc/…/status text (`CapInh:`, `CapPrm:`, `CapEff:`, `CapAmb:` in hexadecimal). */
export function parseCapabilitySets(status: string): CapabilitySets {
  const field = (name: string): bigint => {
    const match = new RegExp(`^${name}:\\s*([0-9a-f]+)$`, 'm').exec(status);
    return match ? BigInt(`0x${match[1]}`) : 0n;
  };
  return { effective: field('CapEff'), permitted: field('CapPrm'), inheritable: field('CapInh'), ambient: field('CapAmb') };
}

/** The calling thread's sets (Linux; all empty elsewhere). */
export function threadCapabilities(): CapabilitySets {
  try {
    return parseCapabilitySets(readFileSync('/proc/thread-self/status', 'utf8'));
  } catch {
    return { effective: 0n, permitted: 0n, inheritable: 0n, ambient: 0n };
  }
}

/** What the service was granted, taken away from the main thread by `confineCapabilities`; null when nothing was. */
let granted: Pick<CapabilitySets, 'inheritable' | 'ambient'> | null = null;

/** Sets the calling thread's inheritable set (effective and permitted stay as they are). */
function setInheritable(inheritable: bigint): void {
  const now = threadCapabilities();
  const header = new Uint8Array(8);
  new DataView(header.buffer).setUint32(0, LINUX_CAPABILITY_VERSION_3, true);
  const data = new Uint8Array(24);
  const view = new DataView(data.buffer);
  [now.effective, now.permitted, inheritable].forEach((set, index) => {
    view.setUint32(index * 4, Number(set & 0xffffffffn), true);
    view.setUint32(12 + index * 4, Number(set >> 32n), true);
  });
  if (capset(header, data) !== 0) throw new Error(`capset(inheritable=${inheritable.toString(16)}) failed`);
}

function clearAmbient(): void {
  if (prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0) !== 0) throw new Error('prctl(PR_CAP_AMBIENT_CLEAR_ALL) failed');
}

/**
 * Empties the calling (main) thread's ambient and inheritable sets and remembers them for `withGrantedCapabilities`.
 * Nothing is loaded when both are empty already (a service granted no capability, or root, whose children get every
 * capability from their uid anyway). Throws when the sets cannot be changed: the agent must not run emulators with
 * capabilities it was told to keep to itself.
 */
export function confineCapabilities(): void {
  const { inheritable, ambient } = threadCapabilities();
  if (inheritable === 0n && ambient === 0n) return;
  try {
    clearAmbient();
    setInheritable(0n);
  } catch (err) {
    throw new Error(`cannot drop the inherited capabilities (ambient ${ambient.toString(16)}, inheritable ${inheritable.toString(16)}) before running emulators: ${(err as Error).message}`);
  }
  granted = { inheritable, ambient };
}

/**
 * Runs `spawn` (which must start its child synchronously, as every spawn API does) with the service's granted
 * capabilities back in the calling thread's inheritable and ambient sets, so the child gets them; empties the sets
 * again afterwards. For host networking tools only (ip, nft, dnsmasq).
 */
export function withGrantedCapabilities<T>(spawn: () => T): T {
  if (!granted) return spawn();
  const { inheritable, ambient } = granted;
  try {
    setInheritable(inheritable);
    for (let bit = 0; bit < 64; bit++) {
      if (((ambient >> BigInt(bit)) & 1n) === 0n) continue;
      if (prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_RAISE, bit, 0, 0) !== 0) throw new Error(`prctl(PR_CAP_AMBIENT_RAISE, ${bit}) failed`);
    }
    return spawn();
  } finally {
    clearAmbient();
    setInheritable(0n);
  }
}
