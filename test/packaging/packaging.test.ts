/** Packaging: the systemd unit verifies, install.sh stages into a temp root and the staged agent runs; the single binary. */
import t from 'tap';
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ROOT, VPCS_083, post, withDaemon, withProject } from '../helpers/daemon.ts';
import { runSeedSession } from '../helpers/seed.ts';

const hasCommand = (name: string) => spawnSync('sh', ['-c', `command -v ${name}`]).status === 0;

t.test('install.sh --root stages a working install without touching the system', async (t) => {
  const root = mkdtempSync(join(tmpdir(), 'patchbay-stage-'));
  t.teardown(() => rmSync(root, { recursive: true, force: true }));
  const out = execFileSync('bash', [join(ROOT, 'packaging', 'install.sh'), '--root', root], { encoding: 'utf8' });
  t.match(out, /\(staged, skipped\) create user patchbay/, 'no user created, no service started');
  t.notMatch(out, /^systemctl/m);

  const bin = join(root, 'usr/local/bin/patchbay');
  t.ok(statSync(bin).mode & 0o111, 'bin/patchbay is executable');
  t.equal(execFileSync(bin, ['--version'], { encoding: 'utf8' }).trim(), '0.1.0', 'the staged agent runs from its own lib dir');
  t.ok(existsSync(join(root, 'usr/local/lib/patchbay/node_modules/hono')), 'production modules installed');
  t.notOk(existsSync(join(root, 'usr/local/lib/patchbay/node_modules/tap')), 'dev modules pruned');
  t.ok(existsSync(join(root, 'usr/local/share/doc/patchbay/operations.md')), 'operations guide installed');

  const config = JSON.parse(readFileSync(join(root, 'etc/patchbay/patchbay.json'), 'utf8'));
  t.match(config.password, /^[A-Za-z0-9]{20}$/, 'a random API password was generated');
  t.equal(statSync(join(root, 'etc/patchbay/patchbay.json')).mode & 0o777, 0o640, 'config is not world-readable');
  const unit = readFileSync(join(root, 'etc/systemd/system/patchbay-agent.service'), 'utf8');
  t.match(unit, /^ExecStart=\/usr\/local\/bin\/patchbay agent --config \/etc\/patchbay\/patchbay\.json$/m);

  // A second run keeps the operator's configuration.
  writeFileSync(join(root, 'etc/patchbay/patchbay.json'), '{"port": 4000}\n');
  execFileSync('bash', [join(ROOT, 'packaging', 'install.sh'), '--root', root], { encoding: 'utf8' });
  t.equal(readFileSync(join(root, 'etc/patchbay/patchbay.json'), 'utf8'), '{"port": 4000}\n', 'config kept on upgrade');

  // systemd-analyze verify needs ExecStart to exist: point it at the staged binary.
  if (!hasCommand('systemd-analyze')) {
    t.pass('systemd-analyze verify', { skip: 'systemd-analyze is not installed (packaging/setup-debian.sh installs systemd)' });
  } else {
    const copy = join(root, 'patchbay-agent.service');
    writeFileSync(copy, unit.replace('/usr/local/bin/patchbay', bin));
    const verify = spawnSync('systemd-analyze', ['verify', copy], { encoding: 'utf8' });
    t.equal(verify.status, 0, `systemd-analyze verify accepts the unit${verify.stderr ? `:\n${verify.stderr}` : ''}`);
    t.equal(verify.stderr.trim(), '', 'without warnings');
  }

  const removed = execFileSync('bash', [join(ROOT, 'packaging', 'install.sh'), '--root', root, '--uninstall'], { encoding: 'utf8' });
  t.match(removed, /kept \/etc\/patchbay/);
  t.notOk(existsSync(bin), 'uninstall removes the binary');
  t.notOk(existsSync(join(root, 'etc/systemd/system/patchbay-agent.service')), 'and the unit');
  t.ok(existsSync(join(root, 'etc/patchbay/patchbay.json')), 'but keeps the configuration');
});

t.test('the launchd plist is a valid property list', async (t) => {
  if (!hasCommand('python3')) return t.pass('plist parses', { skip: 'python3 is needed to parse the plist' });
  const keys = execFileSync('python3', ['-c', 'import plistlib,sys; print(" ".join(sorted(plistlib.load(open(sys.argv[1], "rb")))))', join(ROOT, 'packaging', 'net.patchbay.agent.plist')], { encoding: 'utf8' });
  t.match(keys, /ExitTimeOut .*KeepAlive .*ProgramArguments .*UserName/);
});

t.test('npm run package builds a single binary: agent, controller, relay workers, VPCS 0.5b2 and 0.8.3, QEMU', async (t) => {
  const build = spawnSync('npm', ['run', '--silent', 'package'], { cwd: ROOT, encoding: 'utf8', timeout: 300_000 });
  t.equal(build.status, 0, `build succeeded:\n${build.stdout}${build.stderr}`);
  const binary = join(ROOT, 'dist', 'patchbay');
  // Where the binary unpacks its payload; a fresh one, so the first-start path runs too.
  const cache = mkdtempSync(join(tmpdir(), 'patchbay-binary-cache-'));
  t.teardown(() => rmSync(cache, { recursive: true, force: true }));
  const env = { PATCHBAY_CACHE_DIR: cache };
  const run = (args: string[]) => execFileSync(binary, args, { encoding: 'utf8', env: { ...process.env, ...env } });
  t.equal(run(['--version']).trim(), '0.1.0', '--version');
  t.match(run(['--help']), /Usage: patchbay \[agent\|controller\] \[options\]/, '--help');

  const agent = await withDaemon(t, { runtime: { binary }, env, args: ['--vpcs-path', 'vpcs'] });
  t.equal((await agent.json('/v2/compute/version', { expect: 200 })).version, '2.2.59');
  const old = await runSeedSession(agent);
  t.match(old.pingOutput, /icmp_seq=3 ttl=64/, "the binary's agent relays packets between two of Debian's VPCS 0.5b2");
  t.match(old.nodes[0]!.command_line, /^\S+vpcs -m 0 -i 1 -s/, 'on its own pseudo-terminal (koffi from the payload)');
  t.equal(await agent.stop(), 0, 'the agent stops cleanly on SIGTERM');

  const controller = await withDaemon(t, { mode: 'controller', runtime: { binary }, env, args: ['--vpcs-path', VPCS_083] });
  t.equal((await controller.json('/v2/version', { expect: 200 })).version, '2.2.59', 'controller mode answers /v2');
  const seed = await runSeedSession(controller);
  t.match(seed.pingOutput, /icmp_seq=3 ttl=64/, 'VPCS 0.8.3 pair ping through the relay workers');

  const { id: projectId } = await withProject(t, controller, 'binary');
  const base = `/v2/compute/projects/${projectId}/qemu/nodes`;
  const vm = await controller.json(base, { ...post({ name: 'v', platform: 'x86_64', ram: 32, options: '-no-kvm' }), expect: 201 });
  await controller.json(`${base}/${vm.node_id}/start`, { ...post(), expect: 200 });
  await controller.json(`${base}/${vm.node_id}/suspend`, { ...post(), expect: 204 });
  t.equal((await controller.json(`${base}/${vm.node_id}`)).status, 'suspended', 'QEMU runs and answers its monitor');
  await controller.json(`${base}/${vm.node_id}/stop`, { ...post(), expect: 204 });
  t.equal(await controller.stop(), 0, 'the controller stops cleanly on SIGTERM');

  const root = mkdtempSync(join(tmpdir(), 'patchbay-stage-binary-'));
  t.teardown(() => rmSync(root, { recursive: true, force: true }));
  const out = execFileSync('bash', [join(ROOT, 'packaging', 'install.sh'), '--root', root, '--binary', binary], { encoding: 'utf8' });
  t.match(out, /installing the single binary/);
  t.notOk(existsSync(join(root, 'usr/local/lib/patchbay')), 'no library tree beside the binary');
  t.equal(execFileSync(join(root, 'usr/local/bin/patchbay'), ['--version'], { encoding: 'utf8', env: { ...process.env, ...env } }).trim(), '0.1.0', 'install.sh --binary installs it');
});
