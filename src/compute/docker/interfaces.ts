/** Host-side names of a Docker node's TAP devices, before they move into the container as `eth<n>`. */

/** Adapter `n`'s TAP name: unique per node, within IFNAMSIZ (at most 15 bytes). */
export function tapName(nodeId: string, adapter: number): string {
  return `pbd${nodeId.replaceAll('-', '').slice(0, 8)}e${adapter}`;
}
