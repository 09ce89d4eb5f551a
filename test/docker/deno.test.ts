/** Docker nodes under Deno (same sources): dockerode's hijacked attach and exec streams through Deno's node:http. */
import t from 'tap';
import { withDaemon, withProject, post } from '../helpers/daemon.ts';
import { TelnetClient } from '../helpers/telnet.ts';
import { IMAGE, inspect } from './helpers.ts';

t.test('a Docker node on the Deno daemon: start, telnet and aux consoles, close', async (t) => {
  const daemon = await withDaemon(t, { runtime: 'deno', args: ['--relay-io', 'native'] });
  const { id: projectId, path: project } = await withProject(t, daemon, 'docker-deno');
  const base = `${project}/docker/nodes`;
  const node = await daemon.json(base, { ...post({ name: 'D1', image: IMAGE, console_type: 'telnet' }), expect: 201 });
  await daemon.json(`${base}/${node.node_id}/start`, { ...post(), expect: 204 });
  const console = await TelnetClient.connect(node.console);
  t.teardown(() => console.close());
  await console.run('echo deno-$((2+3)); ip link show eth0', /deno-5[\s\S]*eth0/);
  t.pass('the container TTY answers and eth0 is there');
  const aux = await TelnetClient.connect(node.aux);
  t.teardown(() => aux.close());
  await aux.run('echo aux-$((1+2))', /aux-3/);
  t.pass('the aux shell answers');
  await daemon.json(`/v2/compute/projects/${projectId}/close`, { ...post(), expect: 204 });
  t.equal(inspect(node.container_id), null, 'closing the project removed the container');
});
