/**
 * A Dynamips router's life through the API: start, suspend, resume, reload, stop with status notifications; configs
 * pushed into NVRAM and extracted back on stop; a hypervisor killed behind the agent's back (stopped + log.error,
 * restartable); nothing left after project close; and a SIGKILLed agent whose hypervisors the next agent reaps.
 */
import { mkdtempSync, readFileSync, rmSync, unlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import t from 'tap';
import { startDaemon, post, put, withDaemon, withProject } from '../helpers/daemon.ts';
import { processAlive, tcpFree } from '../helpers/ports.ts';
import { TelnetClient } from '../helpers/telnet.ts';
import { dynamipsFixture, dynamipsIn } from './helpers.ts';
import { eventually } from '../helpers/eventually.ts';
import { BANNER, DYNAMIPS, testImages } from './images.ts';

t.test('start, suspend, resume, reload, stop, configs and a killed hypervisor', async (t) => {
  const { daemon, base, events, projectId } = await dynamipsFixture(t);
  const image = testImages().mips;
  const router = await daemon.json(base, {
    ...post({
      name: 'R1', platform: 'c3725', image: image.name, ram: 32, idlepc: image.idlePc, aux: 1,
      startup_config_content: 'hostname %h\r\ninterface FastEthernet0/0\n ip address 10.1.1.1 255.255.255.0\nend\n',
    }),
    expect: 201,
  });
  const node = `${base}/${router.node_id}`;
  const startupFile = join(router.node_directory, 'configs', `i${router.dynamips_id}_startup-config.cfg`);
  t.equal(readFileSync(startupFile, 'utf8'), '!\nhostname R1\ninterface FastEthernet0/0\n ip address 10.1.1.1 255.255.255.0\nend\n',
    'startup config written as gns3-server does (leading "!", no CR, %h replaced)');
  const statuses = () => events.filter((e) => e.action === 'node.updated' && e.event.node_id === router.node_id).map((e) => e.event.status);

  await daemon.json(`${node}/start`, { ...post(), expect: 204 });
  const console = await TelnetClient.connect(router.console);
  await console.waitFor(new RegExp(BANNER));
  console.close();
  t.not(router.aux, 1, 'an aux port outside the range is replaced by a free one, as GNS3 does');
  const aux = await TelnetClient.connect(router.aux);
  await aux.waitFor(/Connected to Dynamips VM "R1".*AUX port/);
  aux.close();
  t.pass('the aux port is served too');
  await daemon.json(`${node}/suspend`, { ...post(), expect: 204 });
  t.equal((await daemon.json(node)).status, 'suspended');
  await daemon.json(`${node}/resume`, { ...post(), expect: 204 });
  t.equal((await daemon.json(node)).status, 'started');
  const [pid] = dynamipsIn(router.node_directory);
  await daemon.json(`${node}/reload`, { ...post(), expect: 204 });
  const [reloaded] = dynamipsIn(router.node_directory);
  t.ok(reloaded && reloaded !== pid, 'reload restarts the router in a fresh hypervisor');
  await eventually(() => (statuses().includes('suspended') && statuses().at(-1) === 'started') || undefined, 'notifications', 5000);
  t.same(statuses().slice(0, 3), ['started', 'suspended', 'started'], 'node.updated for every transition');

  // The config lives in NVRAM now: remove the file and let the stop extract it again.
  unlinkSync(startupFile);
  await daemon.json(`${node}/stop`, { ...post(), expect: 204 });
  t.match(readFileSync(startupFile, 'utf8'), /^!\n[\s\S]*hostname R1[\s\S]*ip address 10\.1\.1\.1 255\.255\.255\.0/, 'extracted from NVRAM on stop');
  t.same(dynamipsIn(router.node_directory), [], 'no hypervisor after stop');
  t.ok(await tcpFree(router.console), 'console port free after stop');

  await daemon.json(node, { ...put({ startup_config_content: 'hostname %h\nbanner motd ^second^\nend\n' }), expect: 200 });
  await daemon.json(`${node}/start`, { ...post(), expect: 204 });
  unlinkSync(startupFile);
  await daemon.json(`${node}/stop`, { ...post(), expect: 204 });
  t.match(readFileSync(startupFile, 'utf8'), /banner motd \^second\^/, 'a new config survives stop/start through NVRAM');

  await daemon.json(node, { ...put({ name: 'Edge1' }), expect: 200 });
  t.match(readFileSync(startupFile, 'utf8'), /^hostname Edge1$/m, 'a rename rewrites the hostname line');

  await daemon.json(`${node}/start`, { ...post(), expect: 204 });
  const [victim] = dynamipsIn(router.node_directory);
  process.kill(victim!, 'SIGKILL');
  const logged = () => events.some((e) => e.action === 'log.error' && /Dynamips hypervisor process has stopped, return code: SIGKILL/.test(String(e.event.message)));
  await eventually(() => (logged() && statuses().at(-1) === 'stopped') || undefined, 'stopped + log.error', 10_000);
  t.pass('a killed hypervisor makes the node stopped, with a log.error');
  t.equal((await daemon.json(node)).status, 'stopped');
  await daemon.json(`${node}/start`, { ...post(), expect: 204 });
  t.equal((await daemon.json(node)).status, 'started', 'and it starts again');

  await daemon.json(`/v2/compute/projects/${projectId}/close`, { ...post(), expect: 204 });
  t.same(dynamipsIn(router.node_directory), [], 'project close stops the hypervisor');
});

t.test('a SIGKILLed agent leaves hypervisors that the next agent reaps', async (t) => {
  const root = mkdtempSync(join(tmpdir(), 'dyn-reap-'));
  t.teardown(() => rmSync(root, { recursive: true, force: true }));
  const first = await startDaemon({ root, args: ['--dynamips-path', DYNAMIPS] });
  const image = testImages().ppc;
  await first.api(`/v2/compute/dynamips/images/${image.name}`, { method: 'POST', body: readFileSync(image.file) });
  const { id: projectId } = await withProject(t, first, 'reap');
  const base = `/v2/compute/projects/${projectId}/dynamips/nodes`;
  const router = await first.json(base, { ...post({ name: 'R1', platform: 'c2600', image: image.name, ram: 32, idlepc: image.idlePc }), expect: 201 });
  await first.json(`${base}/${router.node_id}/start`, { ...post(), expect: 204 });
  const [pid] = dynamipsIn(router.node_directory);
  first.child.kill('SIGKILL');
  await first.stop();
  t.ok(processAlive(pid!), 'the hypervisor outlives a SIGKILLed agent');
  const second = await withDaemon(t, { root, args: ['--dynamips-path', DYNAMIPS] });
  t.notOk(processAlive(pid!), 'the next agent reaped it before listening');
  t.match(second.output(), /reap|leftover/i, 'and logged it');
});
