/** gns3_server.conf support: mapping, precedence, errors naming the key, and a daemon enforcing the file's basic auth. */
import t from 'tap';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig } from '../../src/config/agent-config.ts';
import { mapGns3Conf } from '../../src/config/gns3-conf.ts';
import { withDaemon } from '../helpers/daemon.ts';

const dir = mkdtempSync(join(tmpdir(), 'patchbay-conf-'));
t.teardown(() => rmSync(dir, { recursive: true, force: true }));

const GNS3_CONF = `# written by the GNS3 GUI
[Server]
host = 127.0.0.1
port = 3080
auth = True
user = admin
password = s3cret
images_path = ${dir}/images
projects_path = ${dir}/projects
console_start_port_range = 6000
console_end_port_range = 6099
udp_start_port_range = 40000
udp_end_port_range = 40099
ubridge_path = /usr/bin/ubridge

[VPCS]
vpcs_path = /usr/local/bin/vpcs

[Qemu]
enable_kvm = True
`;

t.test('gns3_server.conf keys map onto patchbay keys; file < env < CLI', async (t) => {
  const file = join(dir, 'gns3_server.conf');
  writeFileSync(file, GNS3_CONF);
  const warnings: string[] = [];
  const config = loadConfig({ config: file, port: '3082' }, { PATCHBAY_PORT: '3081', PATCHBAY_VPCS_PATH: 'vpcs' }, (m) => warnings.push(m));
  t.equal(config.port, 3082, 'CLI beats environment and file');
  t.equal(config.vpcs_path, 'vpcs', 'environment beats the file');
  t.equal(config.host, '127.0.0.1');
  t.same([config.user, config.password], ['admin', 's3cret']);
  t.equal(config.projects_dir, `${dir}/projects`);
  t.equal(config.images_dir, `${dir}/images`);
  t.same(config.console_ports, [6000, 6099]);
  t.same(config.udp_ports, [40000, 40099]);
  t.equal(config.state_dir, `${dir}/projects/.patchbay`, 'state dir defaults inside the projects dir');
  t.match(warnings.join('\n'), /ignoring GNS3 settings patchbay does not use: \[Server\] ubridge_path, \[Qemu\] enable_kvm/);
});

t.test('GNS3 semantics: auth off ignores credentials, one range end falls back to GNS3 defaults', async (t) => {
  const { config } = mapGns3Conf('[Server]\nauth = false\nuser = a\npassword = b\nudp_start_port_range = 25000\n');
  t.same(config, { udp_ports: '25000-30000' });
});

t.test('errors name the INI key and the file', async (t) => {
  const cases: Array<[string, RegExp]> = [
    ['[Server]\nport = 70000\n', /\[Server\] port = "70000": must be at most 65535/],
    ['[Server]\nauth = maybe\n', /\[Server\] auth = "maybe": must be true or false/],
    ['[Server]\nauth = True\n', /\[Server\] auth = True needs a non-empty \[Server\] user/],
    ['[Server]\nconsole_start_port_range = 9000\nconsole_end_port_range = 8000\n', /console_start_port_range \(9000\) is above console_end_port_range \(8000\)/],
    ['port = 3080\n', /line 1: expected "\[Section\]" or "key = value"/],
  ];
  for (const [text, error] of cases) {
    const file = join(dir, 'bad.conf');
    writeFileSync(file, text);
    t.throws(() => loadConfig({ config: file }, {}), { message: error });
    t.throws(() => loadConfig({ config: file }, {}), { message: new RegExp(file.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')) });
  }
  t.throws(() => loadConfig({ log_level: 'loud' }, {}), { message: /"log_level": must be one of debug, info, warn, error/ });
});

t.test('a daemon started with --config gns3_server.conf enforces its basic auth', async (t) => {
  const file = join(dir, 'auth.conf');
  writeFileSync(file, '[Server]\nauth = True\nuser = admin\npassword = s3cret\n');
  const daemon = await withDaemon(t, { args: ['--config', file] });
  t.equal((await daemon.api('/v2/compute/version')).status, 401, 'no credentials: 401');
  const ok = await daemon.api('/v2/compute/version', { headers: { authorization: `Basic ${Buffer.from('admin:s3cret').toString('base64')}` } });
  t.equal(ok.status, 200, 'GNS3 credentials accepted');
});
