/**
 * Cloud ports on the host's own interfaces, through the compute API of a real daemon (as root): an `ethernet` port on
 * one end of a veth pair whose peer sits in a test namespace, a `tap` port on a TAP device the test made (moved into a
 * namespace once the relay holds it), a `tap` port naming a device that does not exist (the agent makes it and removes
 * it with the link), and a QEMU guest instead of VPCS. Traffic stays inside the namespaces this test makes.
 */
import t, { type Test } from 'tap';
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { linkExists, linkKind } from '../../src/hostnet/links.ts';
import { claimSlot, post, VPCS_083, type DaemonProcess, withDaemon, withProject } from '../helpers/daemon.ts';
import { hostObjects } from '../helpers/host.ts';
import { TelnetClient } from '../helpers/telnet.ts';
import { ping, setIp } from '../helpers/vpcs-console.ts';
import { buildInitramfs, kernelPath } from '../qemu/guest.ts';
import WebSocket from 'ws';
import { eventually } from '../controller/helpers.ts';

if (process.getuid?.() !== 0) {
  t.plan(0, 'needs root (CI runs the suite as root): makes veth pairs, TAP devices and namespaces');
  process.exit(0);
}

t.setTimeout(300_000);

const slot = claimSlot();
const run = (file: string, args: string[]) => execFileSync(file, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
const quietly = (file: string, args: string[]) => {
  try {
    run(file, args);
  } catch {
    // Already gone.
  }
};

/** A namespace `pbnc<slot><tag>` removed in teardown. */
function namespace(t: Test, tag: string): string {
  const ns = `pbnc${slot}${tag}`;
  quietly('ip', ['netns', 'del', ns]);
  run('ip', ['netns', 'add', ns]);
  t.teardown(() => quietly('ip', ['netns', 'del', ns]));
  return ns;
}

/** Gives `device` (already in `ns`) an address and brings it up. */
function address(ns: string, device: string, cidr: string): void {
  run('ip', ['-n', ns, 'addr', 'add', cidr, 'dev', device]);
  run('ip', ['-n', ns, 'link', 'set', 'dev', device, 'up']);
}

/** A veth pair whose end `pbnc<slot><tag>i` sits in a new namespace with `cidr`; returns the host end (up, unaddressed). */
function vethToNamespace(t: Test, tag: string, cidr: string): string {
  const ns = namespace(t, tag);
  const [outside, inside] = [`pbnc${slot}${tag}h`, `pbnc${slot}${tag}i`];
  run('ip', ['link', 'add', 'name', outside, 'type', 'veth', 'peer', 'name', inside, 'netns', ns]);
  t.teardown(() => quietly('ip', ['link', 'del', outside]));
  run('ip', ['link', 'set', 'dev', outside, 'up']);
  address(ns, inside, cidr);
  return outside;
}

type Lab = { daemon: DaemonProcess; base: string; udpPort: () => Promise<number> };

async function lab(t: Test, args: string[] = []): Promise<Lab> {
  const daemon = await withDaemon(t, { args: ['--vpcs-path', VPCS_083, ...args] });
  const { path: base, udpPort } = await withProject(t, daemon, 'cloud-host');
  return { daemon, base, udpPort };
}

/** Links adapter 0 of a node to port `port` of a cloud, as a controller does (two NIOs, one UDP pair). */
async function linkToCloud({ daemon, base, udpPort }: Lab, type: string, nodeId: string, cloudId: string, port: number): Promise<void> {
  const [a, b] = [await udpPort(), await udpPort()];
  await daemon.json(`${base}/${type}/nodes/${nodeId}/adapters/0/ports/0/nio`, { ...post({ type: 'nio_udp', lport: a, rhost: '127.0.0.1', rport: b }), expect: 201 });
  await daemon.json(`${base}/cloud/nodes/${cloudId}/adapters/0/ports/${port}/nio`, { ...post({ type: 'nio_udp', lport: b, rhost: '127.0.0.1', rport: a }), expect: 201 });
}

async function vpcs(l: Lab, name: string): Promise<{ id: string }> {
  const node = await l.daemon.json(`${l.base}/vpcs/nodes`, { ...post({ name }), expect: 201 });
  return { id: node.node_id };
}

async function startVpcs(t: Test, l: Lab, id: string): Promise<TelnetClient> {
  const started = await l.daemon.json(`${l.base}/vpcs/nodes/${id}/start`, { ...post(), expect: 200 });
  const console = await TelnetClient.connect(started.console);
  t.teardown(() => console.close());
  // On a loaded machine a line typed before VPCS shows its prompt can be lost; wait for the prompt first.
  await console.waitFor(/VPCS> ?$/, 30_000);
  return console;
}


t.test('ethernet port on a veth: VPCS pings the namespace, the capture holds the ICMP frames', async (t) => {
  const l = await lab(t);
  const outside = vethToNamespace(t, 'e', `10.252.${slot}.2/24`);

  const cloud = await l.daemon.json(`${l.base}/cloud/nodes`, {
    ...post({ name: 'Cloud1', ports_mapping: [{ name: outside, port_number: 0, type: 'ethernet', interface: outside }] }),
    expect: 201,
  });
  const interfaces = await l.daemon.json('/v2/compute/network/interfaces');
  t.match(interfaces.find((i: any) => i.name === outside), { type: 'ethernet', special: false, ip_address: '' }, 'the unaddressed veth is listed');
  const pc = await vpcs(l, 'PC1');
  await linkToCloud(l, 'vpcs', pc.id, cloud.node_id, 0);
  t.equal((await l.daemon.json(`${l.base}/cloud/nodes/${cloud.node_id}`)).status, 'started', 'the port is wired');
  const capture = await l.daemon.json(`${l.base}/cloud/nodes/${cloud.node_id}/adapters/0/ports/0/start_capture`, {
    ...post({ capture_file_name: 'cloud-veth.pcap' }), expect: 200,
  });
  const console = await startVpcs(t, l, pc.id);
  await setIp(console, `10.252.${slot}.1`);
  t.match(await ping(console, `10.252.${slot}.2`), new RegExp(`10\\.252\\.${slot}\\.2 icmp_seq=3`), 'VPCS pings the namespace address');
  await l.daemon.json(`${l.base}/cloud/nodes/${cloud.node_id}/adapters/0/ports/0/stop_capture`, { ...post(), expect: 204 });
  const types = run('tshark', ['-r', capture.pcap_file_path, '-Y', `icmp and ip.addr == 10.252.${slot}.2`, '-T', 'fields', '-e', 'icmp.type']).split('\n').filter(Boolean);
  t.ok(types.includes('8') && types.includes('0'), `tshark decodes echo requests and replies in the capture (${types.length} ICMP frames)`);

  await l.daemon.json(`${l.base}/cloud/nodes/${cloud.node_id}/adapters/0/ports/0/nio`, { method: 'DELETE', expect: 204 });
  t.ok(linkExists(outside), 'removing the link leaves the host interface alone');
  t.same(hostObjects(l.daemon), [], 'a raw port makes no host object');
});

t.test('tap ports: a TAP device the test made, and one the agent makes and removes', async (t) => {
  const l = await lab(t);
  const ns = namespace(t, 't');
  const tap = `pbnc${slot}tap`;
  quietly('ip', ['link', 'del', tap]);
  run('ip', ['tuntap', 'add', 'dev', tap, 'mode', 'tap']);
  t.teardown(() => {
    quietly('ip', ['-n', ns, 'link', 'del', tap]);
    quietly('ip', ['link', 'del', tap]);
  });
  const made = `pbnc${slot}made`;
  const cloud = await l.daemon.json(`${l.base}/cloud/nodes`, {
    ...post({
      name: 'Cloud2',
      ports_mapping: [
        { name: tap, port_number: 0, type: 'tap', interface: tap },
        { name: made, port_number: 1, type: 'tap', interface: made },
      ],
    }),
    expect: 201,
  });
  const pc = await vpcs(l, 'PC2');
  await linkToCloud(l, 'vpcs', pc.id, cloud.node_id, 0);
  // The relay holds the device open, so it may now leave for the namespace, as GNS3 users do with their TAPs.
  run('ip', ['link', 'set', 'dev', tap, 'netns', ns]);
  address(ns, tap, `10.253.${slot}.2/24`);
  const console = await startVpcs(t, l, pc.id);
  await setIp(console, `10.253.${slot}.1`);
  t.match(await ping(console, `10.253.${slot}.2`), new RegExp(`10\\.253\\.${slot}\\.2 icmp_seq=3`), 'VPCS pings the TAP device\'s address');

  const other = await vpcs(l, 'PC3');
  await linkToCloud(l, 'vpcs', other.id, cloud.node_id, 1);
  t.equal(linkKind(made), 'tap', 'a tap mapping naming a missing device: the agent made it');
  t.match(hostObjects(l.daemon), [{ kind: 'link', name: made }], 'recorded in the state file');
  await l.daemon.json(`${l.base}/cloud/nodes/${cloud.node_id}/adapters/0/ports/1/nio`, { method: 'DELETE', expect: 204 });
  t.notOk(linkExists(made), 'and removed it with the link');
  t.same(hostObjects(l.daemon), []);
  await l.daemon.json(`${l.base}/cloud/nodes/${cloud.node_id}/adapters/0/ports/0/nio`, { method: 'DELETE', expect: 204 });
  t.equal(run('ip', ['-n', ns, '-br', 'link', 'show', 'dev', tap]).split(/\s+/)[0], tap, 'the test\'s own TAP device stays');
});

t.test('ports that cannot be wired answer as GNS3 does: 201, log.error, status stopped, nothing made', async (t) => {
  const l = await lab(t);
  const missing = `pbnc${slot}none`;
  const veth = `pbnc${slot}v`;
  run('ip', ['link', 'add', 'name', veth, 'type', 'veth', 'peer', 'name', `${veth}p`]);
  t.teardown(() => quietly('ip', ['link', 'del', veth]));
  const cloud = await l.daemon.json(`${l.base}/cloud/nodes`, {
    ...post({
      name: 'Cloud3',
      ports_mapping: [
        { name: 'gone', port_number: 0, type: 'ethernet', interface: missing },
        { name: 'not a tap', port_number: 1, type: 'tap', interface: veth },
      ],
    }),
    expect: 201,
  });
  const errors: string[] = [];
  const ws = new WebSocket(`${l.daemon.url.replace('http', 'ws')}/v2/compute/notifications/ws`);
  ws.on('message', (data) => {
    const message = JSON.parse(String(data));
    if (message.action === 'log.error') errors.push(message.event.message);
  });
  t.teardown(() => ws.close());
  await new Promise((resolve) => ws.once('open', resolve));
  const pc = await vpcs(l, 'PC4');
  await linkToCloud(l, 'vpcs', pc.id, cloud.node_id, 0);
  t.equal((await l.daemon.json(`${l.base}/cloud/nodes/${cloud.node_id}`)).status, 'stopped');
  await eventually(async () => (errors.length > 0 ? true : undefined), 'log.error');
  t.equal(errors[0], `Interface '${missing}' could not be found on this system, please update 'Cloud3'`, 'GNS3\'s message');
  const start = await l.daemon.api(`${l.base}/cloud/nodes/${cloud.node_id}/start`, post());
  t.equal(start.status, 409, 'start retries the port and fails with its message, as GNS3 does');
  t.match(await start.json(), { exception: 'NodeError', message: `Interface '${missing}' could not be found on this system, please update 'Cloud3'` });
  t.equal((await l.daemon.json(`${l.base}/cloud/nodes/${cloud.node_id}`)).status, 'stopped', 'the cloud stays stopped');
  const pc2 = await vpcs(l, 'PC5');
  await linkToCloud(l, 'vpcs', pc2.id, cloud.node_id, 1);
  await eventually(async () => (errors.some((e) => e.includes('is not a TAP device')) ? true : undefined), 'log.error for the veth');
  t.ok(errors.includes(`Interface '${veth}' of cloud 'Cloud3' exists and is not a TAP device`), 'a tap mapping on a veth is refused');
  t.notOk(linkExists(missing), 'nothing made for the missing interface');
  t.equal(linkKind(veth), 'other', 'the veth is left as it was');
  t.same(hostObjects(l.daemon), []);
});

t.test('a QEMU guest behind the ethernet port pings the namespace', async (t) => {
  const l = await lab(t);
  const outside = vethToNamespace(t, 'q', `10.254.${slot}.2/24`);
  for (const [name, data] of [['vmlinuz', readFileSync(kernelPath())], ['initramfs.cpio', buildInitramfs()]] as const) {
    const response = await l.daemon.api(`/v2/compute/qemu/images/${name}`, { method: 'POST', body: new Uint8Array(data) });
    t.equal(response.status, 204, `${name} uploaded`);
  }
  const vm = await l.daemon.json(`${l.base}/qemu/nodes`, {
    ...post({
      name: 'VM1', platform: 'x86_64', ram: 128, kernel_image: 'vmlinuz', initrd: 'initramfs.cpio', options: '-no-kvm',
      kernel_command_line: `console=ttyS0 panic=-1 pbip=10.254.${slot}.1/24`,
    }),
    expect: 201,
  });
  const cloud = await l.daemon.json(`${l.base}/cloud/nodes`, {
    ...post({ name: 'Cloud4', ports_mapping: [{ name: outside, port_number: 0, type: 'ethernet', interface: outside }] }),
    expect: 201,
  });
  await linkToCloud(l, 'qemu', vm.node_id, cloud.node_id, 0);
  const started = await l.daemon.json(`${l.base}/qemu/nodes/${vm.node_id}/start`, { ...post(), expect: 200 });
  const console = await TelnetClient.connect(started.console);
  t.teardown(() => console.close());
  await console.waitFor(/PATCHBAY-READY/, 120_000);
  const result = await console.run(`ping -c 3 10.254.${slot}.2`, /(\d+) packets received/, 30_000);
  t.match(result, /[1-3] packets received/, 'the guest reaches the namespace through the cloud');
  await l.daemon.json(`${l.base}/qemu/nodes/${vm.node_id}/stop`, { ...post(), expect: 204 });
});
