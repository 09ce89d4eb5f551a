/** Pure Docker node logic: image references, setting texts, volumes, command splitting, MACs, the create body. */
import t from 'tap';
import { readFileSync } from 'node:fs';
import { isStaticElf } from '../../src/compute/docker/resources.ts';
import { splitShellWords } from '../../src/compute/shell-words.ts';
import {
  adapterMac, defaultBaseMac, containerBody, containerEnv, environmentProblem, extraHostsProblem, isImageReference,
  persistentVolumes, volumeProblem, withDefaultTag,
} from '../../src/compute/docker/settings.ts';

t.test('image references', async (t) => {
  for (const ok of ['busybox', 'pbdk-busybox:config', 'library/debian:12', 'registry:5000/team/img', 'ghcr.io/o/r@sha256:' + 'a'.repeat(64), 'a__b', 'x-y.z']) {
    t.ok(isImageReference(ok), ok);
  }
  for (const bad of ['', 'Bad Image', 'UPPER', 'a//b', 'img:', '-lead', 'img:tag with space', 'a;rm', 'x'.repeat(256)]) {
    t.notOk(isImageReference(bad), JSON.stringify(bad));
  }
  t.equal(withDefaultTag('busybox'), 'busybox:latest');
  t.equal(withDefaultTag('busybox:1'), 'busybox:1');
  t.equal(withDefaultTag('registry:5000/img'), 'registry:5000/img', 'GNS3 quirk kept: a colon anywhere means tagged');
});

t.test('setting texts', async (t) => {
  t.equal(environmentProblem('A=1\n\n  B = 2 \nC='), null, 'blank lines allowed, empty values allowed');
  t.match(environmentProblem('A=1\nnope'), /"nope"/);
  t.match(environmentProblem('=value'), /"=value"/);
  t.equal(extraHostsProblem('a:10.0.0.1\n b : 10.0.0.2 \n'), null);
  t.match(extraHostsProblem('a:b:c'), /"a:b:c"/);
  t.match(extraHostsProblem('justname'), /"justname"/);
  t.equal(volumeProblem('/data'), null);
  t.match(volumeProblem('data'), /must start with/);
  t.match(volumeProblem('/a/../b'), /must not contain/);
  t.match(volumeProblem('//'), /root/);
});

t.test('persistent volumes fold nested paths', async (t) => {
  t.same(persistentVolumes([], ['/data', '/data/sub', '/srv']), ['/etc/network', '/data', '/srv']);
  t.same(persistentVolumes(['/vol1/'], []), ['/etc/network', '/vol1']);
  t.same(persistentVolumes([], ['/etc']), ['/etc'], 'a more general path replaces the ones inside it');
  t.same(persistentVolumes([], ['/etc/network/x', '/etcx']), ['/etc/network', '/etcx'], 'prefix of a name is not a parent');
});

t.test('start command splitting', async (t) => {
  t.same(splitShellWords(`sh -c 'echo "a b"; exit' x\\ y "q\\"z"`), ['sh', '-c', 'echo "a b"; exit', 'x y', 'q"z']);
  t.same(splitShellWords('  '), []);
  t.same(splitShellWords(`''`), ['']);
  t.throws(() => splitShellWords(`sh -c 'open`), { name: 'ShellWordsError', message: 'No closing quotation' });
  t.throws(() => splitShellWords('trailing\\'), { name: 'ShellWordsError' });
});

t.test('environment in GNS3 order with placeholders', async (t) => {
  const env = containerEnv(
    { nodeName: 'D1', nodeId: 'id-1', projectId: 'p-1', projectPath: '/p', variables: [{ name: 'FOO', value: 'bar' }, { name: 'X', value: '${FOO}-x' }] },
    { adapters: 2, environment: 'B=${FOO}\nC=%vm-name%/%vm-id%\nGNS3_MAX_ETHERNET=eth9\n\nD=%project-id%:%project-path%', extraHosts: 'h1:10.0.0.1\n h2 : 10.0.0.2', imageUser: 'user' },
  );
  t.same(env, [
    'container=docker', 'GNS3_MAX_ETHERNET=eth1', 'GNS3_USER=user', 'FOO=bar', 'X=bar-x', 'B=bar', 'C="D1"/id-1',
    'D=p-1:"/p"', 'GNS3_EXTRA_HOSTS=10.0.0.1\th1\n10.0.0.2\th2',
  ]);
});

t.test('MAC addresses follow GNS3 2.2.50', async (t) => {
  const base = defaultBaseMac('0123abcd-0000-4000-8000-000000000000');
  t.equal(base, '02:42:23:ab:cd:00');
  t.equal(adapterMac(base, 5), '02:42:23:ab:cd:05');
  t.equal(adapterMac('02:42:00:00:00:ff', 1), '02:42:00:00:01:00', 'carries into the next byte');
});

t.test('create body', async (t) => {
  const spec = {
    name: 'D1', image: 'img:1', startCommand: null, env: ['A=1'], privileged: false, resourcesDir: '/r', busybox: '/bin/busybox',
    nodeDir: '/n', volumes: ['/etc/network', '/data'], labels: { l: 'v' },
  };
  const body = containerBody(spec, { entrypoint: ['/ep'], cmd: ['c'], user: 'u', volumes: [] }) as any;
  t.same(body.Entrypoint, ['/gns3/init.sh', '/ep']);
  t.same(body.Cmd, ['c']);
  t.equal(body.User, 'root');
  t.equal(body.NetworkDisabled, true);
  t.same(body.HostConfig.CapAdd, ['NET_ADMIN']);
  t.equal(body.HostConfig.Privileged, false);
  t.same(body.HostConfig.Mounts.map((m: any) => `${m.Source}>${m.Target}${m.ReadOnly ? ':ro' : ''}`), [
    '/r>/gns3:ro', '/bin/busybox>/gns3/bin/busybox:ro', '/n/etc/network>/etc/network', '/n/data>/data',
  ]);
  const bare = containerBody({ ...spec, startCommand: 'run "a b"', privileged: true }, { entrypoint: [], cmd: [], user: '', volumes: [] }) as any;
  t.same(bare.Cmd, ['run', 'a b'], 'start_command wins over the image Cmd');
  t.equal(bare.User, undefined, 'no User when the image has none');
  t.same(bare.HostConfig.CapAdd, [], 'privileged needs no extra capability');
  const shell = containerBody(spec, { entrypoint: [], cmd: [], user: '', volumes: [] }) as any;
  t.same(shell.Cmd, ['/bin/sh'], 'no entrypoint and no command: a shell');
});

t.test('static busybox check reads the ELF program headers', async (t) => {
  t.ok(isStaticElf(readFileSync('/bin/busybox')), 'Debian busybox-static');
  t.notOk(isStaticElf(readFileSync(process.execPath).subarray(0, 1 << 16)), 'node is dynamically linked');
  t.notOk(isStaticElf(new TextEncoder().encode('#!/bin/sh\n'.padEnd(128))), 'a script is not an ELF file');
});
