import t from 'tap';
import { parseVersion } from '../../src/compute/vpcs/binary.ts';
import { compareVersions } from '../../src/process/version-probe.ts';

t.test('parses the banner of both VPCS builds', async (t) => {
  t.equal(parseVersion('\nWelcome to Virtual PC Simulator, version 0.5b2\nDedicated to Daling.'), '0.5b2');
  t.equal(parseVersion('Welcome to Virtual PC Simulator, version 0.8.3\n'), '0.8.3');
  t.equal(parseVersion('something else'), null);
});

t.test('orders versions the way GNS3 decides flags', async (t) => {
  t.ok(compareVersions('0.5b2', '0.6.1') < 0, '0.5b2 is too old for GNS3 mode');
  t.ok(compareVersions('0.8.3', '0.6.1') > 0);
  t.ok(compareVersions('0.8b', '0.8') < 0, 'a letter marks a pre-release');
  t.ok(compareVersions('0.8.3', '0.8b') >= 0, '0.8.3 gets -R');
  t.equal(compareVersions('0.8.1', '0.8.1'), 0);
});
