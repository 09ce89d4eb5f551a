import t from 'tap';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadConfig } from '../../src/config/agent-config.ts';

t.test('defaults are safe: loopback, GNS3 port and version', async (t) => {
  const config = loadConfig({}, {});
  t.equal(config.host, '127.0.0.1');
  t.equal(config.port, 3080);
  t.equal(config.gns3_version, '2.2.59');
  t.same(config.console_ports, [5000, 10000]);
});

t.test('file < environment < command line', async (t) => {
  const dir = t.testdir();
  const file = join(dir, 'c.json');
  writeFileSync(file, JSON.stringify({ port: 4000, host: '127.0.0.2', vpcs_path: '/opt/vpcs' }));
  const config = loadConfig({ config: file, port: '4002' }, { PATCHBAY_PORT: '4001', PATCHBAY_HOST: '127.0.0.3' });
  t.equal(config.port, 4002);
  t.equal(config.host, '127.0.0.3');
  t.equal(config.vpcs_path, '/opt/vpcs');
});

t.test('errors name the key', async (t) => {
  t.throws(() => loadConfig({ port: 'abc' }, {}), /"port"/);
  t.throws(() => loadConfig({ udp_ports: '20000-10000' }, {}), /"udp_ports"/);
  t.throws(() => loadConfig({ user: 'admin' }, {}), /"user" and "password"/);
  t.throws(() => loadConfig({}, { PATCHBAY_CONTROLLER: 'not a url' }), /"controller"/);
});
