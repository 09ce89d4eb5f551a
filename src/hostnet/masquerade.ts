/**
 * Source NAT for the NAT network: one nftables table of patchbay's own per NAT bridge, masquerading what leaves the
 * subnet through any other interface (the host's default route). Applied as an nftables JSON batch, so no value is
 * ever parsed as nftables syntax, and the batch is atomic.
 */
import type { Ipv4Subnet } from './ipv4-subnet.ts';
import { runHostCommand } from './host-command.ts';

export const NFT_FAMILY = 'ip';

/** The table patchbay owns for the NAT network on `bridge`. */
export const masqueradeTableName = (bridge: string) => `patchbay-${bridge}`;

/**
 * Pure: the nftables JSON batch that (re)creates the table. Adding then deleting the table first makes the batch
 * replace a leftover table instead of appending duplicate rules to it.
 */
export function masqueradeRuleset(table: string, bridge: string, subnet: Ipv4Subnet): unknown {
  const family = NFT_FAMILY;
  return {
    nftables: [
      { add: { table: { family, name: table } } },
      { delete: { table: { family, name: table } } },
      { add: { table: { family, name: table } } },
      { add: { chain: { family, table, name: 'postrouting', type: 'nat', hook: 'postrouting', prio: 100, policy: 'accept' } } },
      {
        add: {
          rule: {
            family, table, chain: 'postrouting',
            expr: [
              { match: { op: '==', left: { payload: { protocol: 'ip', field: 'saddr' } }, right: { prefix: { addr: subnet.network, len: subnet.prefix } } } },
              { match: { op: '!=', left: { meta: { key: 'oifname' } }, right: bridge } },
              { masquerade: null },
            ],
          },
        },
      },
    ],
  };
}

export async function applyMasquerade(table: string, bridge: string, subnet: Ipv4Subnet): Promise<void> {
  // One argument holding the JSON batch (`nft -f -` cannot open /dev/stdin when it is a socket, as Node's pipes are).
  await runHostCommand('nft', ['-j', JSON.stringify(masqueradeRuleset(table, bridge, subnet))]);
}

/** Deletes one of patchbay's tables; resolves false if it did not exist. */
export async function deleteNftTable(family: string, table: string): Promise<boolean> {
  try {
    await runHostCommand('nft', ['list', 'table', family, table]);
  } catch {
    return false;
  }
  await runHostCommand('nft', ['delete', 'table', family, table]);
  return true;
}
