/**
 * The service runs as an unprivileged user with ambient CAP_NET_ADMIN, CAP_NET_RAW and CAP_NET_BIND_SERVICE (the
 * systemd unit in packaging/). Here a real daemon is started that way (setpriv: uid 65534, the three capabilities
 * inheritable and ambient) and a real VPCS is started through the API: the emulator must hold no capability at all,
 * while the agent keeps its own and the host networking tools of a NAT node (ip, nft, dnsmasq) still get them.
 */
import { chownSync, mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import t from 'tap';
import { parseCapabilitySets } from '../../src/process/capabilities.ts';
import { VPCS_083, post, withDaemon, withProject } from '../helpers/daemon.ts';
import { hostObjects } from '../helpers/host.ts';

if (process.getuid?.() !== 0) {
  t.plan(0, 'needs root to start the daemon as another user with capabilities (CI runs as root)');
  process.exit(0);
}

const NOBODY = 65534;
// CAP_NET_BIND_SERVICE (10), CAP_NET_ADMIN (12), CAP_NET_RAW (13).
const GRANTED = (1n << 10n) | (1n << 12n) | (1n << 13n);
const CAPS = '+net_bind_service,+net_admin,+net_raw';

const capabilities = (pid: number) => parseCapabilitySets(readFileSync(`/proc/${pid}/status`, 'utf8'));
const uidOf = (pid: number) => Number(/^Uid:\s+(\d+)/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))![1]);
function childrenOf(pid: number): number[] {
  return readdirSync(`/proc/${pid}/task`).flatMap((task) =>
    readFileSync(`/proc/${pid}/task/${task}/children`, 'utf8').split(' ').filter(Boolean).map(Number));
}

t.test('an emulator started by an agent with ambient capabilities holds none', async (t) => {
  const root = mkdtempSync(join(tmpdir(), 'patchbay-test-caps-'));
  t.teardown(() => rmSync(root, { recursive: true, force: true }));
  chownSync(root, NOBODY, NOBODY);
  const daemon = await withDaemon(t, {
    root,
    args: ['--vpcs-path', VPCS_083],
    prefix: ['setpriv', `--reuid=${NOBODY}`, `--regid=${NOBODY}`, '--clear-groups', `--inh-caps=-all,${CAPS}`, `--ambient-caps=${CAPS}`, '--'],
  });
  const agentPid = daemon.child.pid!;
  t.equal(uidOf(agentPid), NOBODY, 'the agent runs unprivileged');
  const agent = capabilities(agentPid);
  t.equal(agent.effective, GRANTED, 'the agent keeps its effective capabilities');
  t.equal(agent.ambient, 0n, 'its main thread passes none on (ambient)');
  t.equal(agent.inheritable, 0n, 'nor inheritable');

  const { path: project } = await withProject(t, daemon, 'caps');
  const node = await daemon.json(`${project}/vpcs/nodes`, { ...post({ name: 'PC1' }), expect: 201 });
  const before = new Set(childrenOf(agentPid));
  await daemon.json(`${project}/vpcs/nodes/${node.node_id}/start`, { ...post({}), expect: 200 });
  const vpcs = childrenOf(agentPid).filter((pid) => !before.has(pid));
  t.equal(vpcs.length, 1, 'one VPCS process started');
  const emulator = capabilities(vpcs[0]!);
  t.same(
    { ambient: emulator.ambient, effective: emulator.effective, permitted: emulator.permitted, inheritable: emulator.inheritable },
    { ambient: 0n, effective: 0n, permitted: 0n, inheritable: 0n },
    'VPCS has no capability in any set',
  );

  // The NAT network needs them: ip and nft (bridge, nftables) run and exit, dnsmasq stays and is checked here.
  const nat = await daemon.json(`${project}/nat/nodes`, { ...post({ name: 'NAT1' }), expect: 201 });
  t.equal(nat.status, 'started', 'a NAT node is made (ip and nft got CAP_NET_ADMIN)');
  const dnsmasq = hostObjects(daemon).find((o) => o.kind === 'process');
  t.ok(dnsmasq?.kind === 'process', 'dnsmasq runs');
  if (dnsmasq?.kind === 'process') t.equal(capabilities(dnsmasq.pid).ambient, GRANTED, 'dnsmasq got the granted capabilities');
  await daemon.json(`${project}/nat/nodes/${nat.node_id}`, { method: 'DELETE', expect: 204 });
  t.equal(capabilities(agentPid).ambient, 0n, 'and the agent\'s main thread passes none on again afterwards');
});
