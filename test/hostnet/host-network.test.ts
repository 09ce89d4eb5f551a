/**
 * Host networking against the real kernel (as root): patchbay's NAT network (bridge, nftables table, dnsmasq) serves
 * a real DHCP lease to a client in a test namespace, TAP devices, removal on release, and reaping after a crash
 * removes what was recorded and nothing else. Names carry this test process's slot (pbnc<slot>...).
 */
import t, { type Test } from 'tap';
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { HostNetwork } from '../../src/hostnet/host-network.ts';
import { parseIpv4Subnet } from '../../src/hostnet/ipv4-subnet.ts';
import { reapHostObjects, type HostObject } from '../../src/hostnet/ledger.ts';
import { attachToBridge, createVethPair, linkExists, linkIndex, linkKind, linkMaster } from '../../src/hostnet/links.ts';
import { claimSlot, natNetwork } from '../helpers/daemon.ts';
import { processAlive } from '../helpers/ports.ts';

if (process.getuid?.() !== 0) {
  t.plan(0, 'needs root (CI runs the suite as root): creates bridges, TAP devices and nftables tables');
  process.exit(0);
}

const slot = claimSlot();
const nat = natNetwork();
const run = (file: string, args: string[]) => execFileSync(file, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
const tableExists = (name: string) => {
  try {
    run('nft', ['list', 'table', 'ip', name]);
    return true;
  } catch {
    return false;
  }
};

function hostNetwork(t: Test, overrides: Partial<{ natBridge: string; natSubnet: string }> = {}) {
  const stateDir = mkdtempSync(join(tmpdir(), 'pbnc-state-'));
  const persisted: HostObject[][] = [];
  const warnings: string[] = [];
  const network = new HostNetwork(
    {
      natInterface: '',
      natBridge: overrides.natBridge ?? nat.bridge,
      natSubnet: parseIpv4Subnet(overrides.natSubnet ?? nat.subnet),
      dhcpServer: 'dnsmasq',
      stateDir,
    },
    { persist: async (objects) => void persisted.push([...objects]), warn: (m) => warnings.push(m) },
  );
  t.teardown(async () => {
    await network.close();
    rmSync(stateDir, { recursive: true, force: true });
  });
  return { network, persisted, warnings };
}

/** A namespace with one end of a veth pair; the other end stays on the host. Removed in teardown. */
function testNamespace(t: Test, tag: string) {
  const ns = `pbnc${slot}${tag}`;
  const host = `pbnc${slot}${tag}h`;
  const inner = `pbnc${slot}${tag}i`;
  run('ip', ['netns', 'add', ns]);
  t.teardown(() => {
    try {
      run('ip', ['netns', 'del', ns]);
    } catch {
      // Already gone.
    }
    try {
      run('ip', ['link', 'del', host]);
    } catch {
      // Went with the namespace.
    }
  });
  return { ns, host, inner };
}

t.test('NAT network: bridge with the gateway address, masquerade table, dnsmasq leasing to a namespace', async (t) => {
  const { network, persisted } = hostNetwork(t);
  const first = await network.acquireNat();
  const second = await network.acquireNat();
  t.equal(first.interface, nat.bridge, 'without nat_interface on the host, patchbay makes its own bridge');
  t.equal(linkKind(nat.bridge), 'bridge');
  t.match(run('ip', ['-4', 'addr', 'show', 'dev', nat.bridge]), `${nat.gateway}/24`);
  t.ok(tableExists(`patchbay-${nat.bridge}`), 'nftables table present');
  t.match(run('nft', ['list', 'table', 'ip', `patchbay-${nat.bridge}`]), /masquerade/);
  const kinds = network.ledger.objects.map((o) => o.kind);
  t.same(kinds, ['link', 'nft_table', 'process'], 'bridge, table and dnsmasq recorded');
  t.same(persisted.at(-1), network.ledger.objects, 'and persisted');
  const dnsmasq = network.ledger.objects.find((o) => o.kind === 'process') as Extract<HostObject, { kind: 'process' }>;
  t.ok(processAlive(dnsmasq.pid), 'dnsmasq runs');

  const { ns, host, inner } = testNamespace(t, 'd');
  await createVethPair(host, inner);
  run('ip', ['link', 'set', 'dev', inner, 'netns', ns]);
  await attachToBridge(host, nat.bridge);
  t.equal(linkMaster(host), nat.bridge);
  run('ip', ['-n', ns, 'link', 'set', 'dev', inner, 'up']);
  // udhcpc reports on stderr; -s /bin/true: obtain the lease without configuring anything.
  const dhcp = spawnSync('ip', ['netns', 'exec', ns, 'busybox', 'udhcpc', '-f', '-q', '-n', '-t', '10', '-T', '1', '-i', inner, '-s', '/bin/true'], { encoding: 'utf8' }).stderr;
  t.match(dhcp, new RegExp(`lease of 10\\.250\\.${slot}\\.\\d+ obtained`), 'a DHCP lease from the NAT subnet');
  run('ip', ['link', 'del', host]);

  await first.release();
  t.ok(linkExists(nat.bridge), 'still used by the second attachment');
  await first.release();
  t.ok(linkExists(nat.bridge), 'a second release of one attachment counts once');
  await second.release();
  t.notOk(linkExists(nat.bridge), 'bridge removed with the last user');
  t.notOk(tableExists(`patchbay-${nat.bridge}`), 'table removed');
  t.notOk(processAlive(dnsmasq.pid), 'dnsmasq stopped');
  t.same(network.ledger.objects, [], 'nothing left in the ledger');
});

t.test('TAP devices: exclusive gns3tap<i>-<port> names, recorded, removed', async (t) => {
  const { network } = hostNetwork(t);
  const a = await network.createTap(7);
  const b = await network.createTap(7);
  t.not(a.name, b.name, 'two TAPs for one port number get different names');
  for (const tap of [a, b]) {
    t.match(tap.name, /^gns3tap\d+-7$/);
    t.equal(linkKind(tap.name), 'tap');
    t.equal(tap.ifindex, linkIndex(tap.name), 'recorded with its ifindex');
  }
  await network.remove(a);
  t.notOk(linkExists(a.name));
  t.same(network.ledger.objects, [b]);
});

t.test('refusals name the setting and create nothing', async (t) => {
  const taken = `pbnc${slot}taken`;
  run('ip', ['link', 'add', 'name', taken, 'type', 'bridge']);
  t.teardown(() => run('ip', ['link', 'del', taken]));
  const { network } = hostNetwork(t, { natBridge: taken });
  await t.rejects(network.acquireNat(), { status: 409, message: /nat_bridge/ }, 'an existing interface is never taken over');
  t.same(network.ledger.objects, []);

  run('ip', ['addr', 'add', `10.251.${slot}.1/24`, 'dev', taken]);
  const other = hostNetwork(t, { natSubnet: `10.251.${slot}.0/24` });
  await t.rejects(other.network.acquireNat(), { status: 409, message: new RegExp(`nat_subnet.*${taken}`) });
  t.notOk(linkExists(nat.bridge), 'no bridge made');
  t.same(other.network.ledger.objects, []);
});

t.test('reaping after a crash removes what was recorded, and only that', async (t) => {
  const { network } = hostNetwork(t);
  await network.acquireNat();
  await network.createTap(0);
  const recorded = [...network.ledger.objects];
  // Someone else's link that happens to reuse a recorded name: recorded with another ifindex, so not ours.
  const foreign = `pbnc${slot}frgn`;
  run('ip', ['link', 'add', 'name', foreign, 'type', 'bridge']);
  t.teardown(() => run('ip', ['link', 'del', foreign]));
  const result = await reapHostObjects([...recorded, { kind: 'link', name: foreign, ifindex: linkIndex(foreign)! + 100000 }]);
  t.same(result.failed, []);
  t.equal(result.removed.length, recorded.length, `removed: ${result.removed.join(', ')}`);
  t.notOk(linkExists(nat.bridge));
  t.notOk(tableExists(`patchbay-${nat.bridge}`));
  for (const object of recorded) if (object.kind === 'process') t.notOk(processAlive(object.pid), 'dnsmasq killed');
  t.ok(linkExists(foreign), 'a link with another ifindex is left alone');
  const again = await reapHostObjects(recorded);
  t.same(again, { removed: [], failed: [] }, 'reaping twice finds nothing');
});
