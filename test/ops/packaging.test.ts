/** Packaging: the systemd unit verifies, install.sh stages into a temp root and the staged agent runs; the single binary. */
import t from 'tap';
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ROOT, VPCS_083, startDaemon } from '../helpers/daemon.ts';
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

t.test('npm run package builds a single binary that runs the seed session', async (t) => {
  const build = spawnSync('npm', ['run', '--silent', 'package'], { cwd: ROOT, encoding: 'utf8', timeout: 300_000 });
  if (build.status === 3) {
    return t.pass('single binary built and run', { skip: 'deno compile cannot work offline on this machine: it downloads its "denort" runtime from the Deno ' +
      'release site on first use, and only the npm and Debian registries are reachable here. Set DENORT_BIN to a ' +
      'denort binary of the same Deno version to build and run this test.' });
  }
  t.equal(build.status, 0, `build succeeded:\n${build.stdout}${build.stderr}`);
  const daemon = await startDaemon({ runtime: { binary: join(ROOT, 'dist', 'patchbay') }, args: ['--vpcs-path', VPCS_083] });
  t.teardown(() => daemon.stop());
  const version = await daemon.json('/v2/compute/version', { expect: 200 });
  t.equal(version.version, '2.2.59');
  const seed = await runSeedSession(daemon);
  t.match(seed.pingOutput, /icmp_seq=3 ttl=64/, 'the compiled agent relays packets between two VPCS');
});

