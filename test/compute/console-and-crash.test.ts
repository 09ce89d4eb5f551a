/** Consoles (telnet, websocket, reset, port taken meanwhile) and an emulator crash reported as a status change. */
import t from 'tap';
import { createServer } from 'node:net';
import { createSocket } from 'node:dgram';
import WebSocket from 'ws';
import { post, VPCS_083, withDaemon, withProject } from '../helpers/daemon.ts';
import { pidsMatching } from '../helpers/seed.ts';
import { TelnetClient } from '../helpers/telnet.ts';
import { processAlive } from '../helpers/ports.ts';
import { eventually } from '../helpers/eventually.ts';
import { readFileSync } from 'node:fs';

t.test('consoles and crashes', async (t) => {
  const daemon = await withDaemon(t, { args: ['--vpcs-path', VPCS_083] });
  const base = `${(await withProject(t, daemon, 'consoles')).path}/vpcs/nodes`;
  /** Types `line` on the telnet console at `port` and waits for `answer`, then stops the node (204). */
  const typeThenStop = async (port: number, line: string, answer: RegExp, nodeId: string) => {
    const telnet = await TelnetClient.connect(port);
    await telnet.run(line, answer);
    telnet.close();
    await daemon.json(`${base}/${nodeId}/stop`, { ...post(), expect: 204 });
  };

  t.test('a console port taken by another process before start is replaced, not fatal', async (t) => {
    const node = await daemon.json(base, { ...post({ name: 'PC1' }), expect: 201 });
    const squatter = createServer();
    await new Promise<void>((resolve) => squatter.listen(node.console, '127.0.0.1', resolve));
    t.teardown(() => new Promise<void>((resolve) => squatter.close(() => resolve())));
    const started = await daemon.json(`${base}/${node.node_id}/start`, { ...post(), expect: 200 });
    t.not(started.console, node.console, 'moved to another port');
    await typeThenStop(started.console, 'ip 10.0.0.7/24', /10\.0\.0\.7/, node.node_id);
  });

  t.test('VPCS ports taken by another process between two starts: VPCS gets fresh ones', async (t) => {
    const node = await daemon.json(base, { ...post({ name: 'PC4' }), expect: 201 });
    const first = await daemon.json(`${base}/${node.node_id}/start`, { ...post(), expect: 200 });
    await daemon.json(`${base}/${node.node_id}/stop`, { ...post(), expect: 204 });
    // VPCS exits at once when it cannot bind its console port; before, the agent even connected to the squatter.
    const internal = Number(/-p (\d+)/.exec(first.command_line)![1]);
    const squatter = createServer();
    await new Promise<void>((resolve) => squatter.listen(internal, '127.0.0.1', resolve));
    t.teardown(() => new Promise<void>((resolve) => squatter.close(() => resolve())));
    const second = await daemon.json(`${base}/${node.node_id}/start`, { ...post(), expect: 200 });
    t.not(Number(/-p (\d+)/.exec(second.command_line)![1]), internal, 'another internal console port');
    await typeThenStop(second.console, 'ip 10.0.0.9/24', /10\.0\.0\.9/, node.node_id);

    // Its UDP tunnel port: VPCS kept running without binding it, so without a data plane, and said nothing.
    const tunnel = Number(/-s (\d+)/.exec(second.command_line)![1]);
    const udpSquatter = createSocket('udp4');
    await new Promise<void>((resolve) => udpSquatter.bind(tunnel, '0.0.0.0', resolve));
    t.teardown(() => udpSquatter.close());
    const third = await daemon.json(`${base}/${node.node_id}/start`, { ...post(), expect: 200 });
    const fresh = Number(/-s (\d+)/.exec(third.command_line)![1]);
    t.not(fresh, tunnel, 'another tunnel port');
    // Read from the kernel's socket table: a probe bind could itself take the port from VPCS.
    const bound = () => readFileSync('/proc/net/udp', 'utf8').includes(`00000000:${fresh.toString(16).toUpperCase().padStart(4, '0')} `);
    await eventually(() => (bound() ? true : undefined), 'VPCS binds its new tunnel port');
    await typeThenStop(third.console, 'ip 10.0.0.10/24', /10\.0\.0\.10/, node.node_id);
  });

  t.test('a line typed the moment a start returns is answered (VPCS drops input that comes before its prompt)', async (t) => {
    const nodes = await Promise.all([5, 6, 7, 8].map((i) => daemon.json(base, { ...post({ name: `PC${i}` }), expect: 201 })));
    await Promise.all(nodes.map(async (node, i) => {
      const started = await daemon.json(`${base}/${node.node_id}/start`, { ...post(), expect: 200 });
      const telnet = await TelnetClient.connect(started.console);
      await telnet.run(`ip 10.0.1.${i + 1}/24`, new RegExp(`10\\.0\\.1\\.${i + 1}`), 5000);
      telnet.close();
      await daemon.json(`${base}/${node.node_id}/stop`, { ...post(), expect: 204 });
    }));
    t.pass('every node answered its first line');
  });

  t.test('console websocket and console reset', async (t) => {
    const node = await daemon.json(base, { ...post({ name: 'PC2' }), expect: 201 });
    await daemon.json(`${base}/${node.node_id}/start`, { ...post(), expect: 200 });
    const ws = new WebSocket(`${daemon.url.replace('http', 'ws')}${base}/${node.node_id}/console/ws`);
    let received = Buffer.alloc(0);
    ws.on('message', (data: Buffer) => (received = Buffer.concat([received, data])));
    await new Promise((resolve, reject) => ws.once('open', resolve).once('error', reject));
    ws.send('ip 10.0.0.8/24\r\n');
    const deadline = Date.now() + 10_000;
    while (!received.includes('10.0.0.8') && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 50));
    t.same([...received.subarray(0, 3)], [255, 251, 1], 'telnet negotiation arrives first, as binary');
    t.ok(received.includes('10.0.0.8'), 'typed text reaches VPCS and its answer comes back');
    ws.close();

    // More resets than an emitter's default listener limit (10): each reset's console must let go of the backend.
    for (let i = 0; i < 12; i++) await daemon.json(`${base}/${node.node_id}/console/reset`, { ...post(), expect: 204 });
    await typeThenStop(node.console, 'show ip', /10\.0\.0\.8/, node.node_id);
    t.notMatch(daemon.output(), /MaxListenersExceeded/, 'no listener left behind by the consoles reset');
  });

  t.test('an emulator killed behind our back becomes a stopped node with a log.error', async (t) => {
    const node = await daemon.json(base, { ...post({ name: 'PC3' }), expect: 201 });
    const ws = new WebSocket(`${daemon.url.replace('http', 'ws')}/v2/compute/notifications/ws`);
    const events: Array<{ action: string; event: { node_id?: string; status?: string; message?: string } }> = [];
    ws.on('message', (data) => events.push(JSON.parse(String(data))));
    await new Promise((resolve) => ws.once('open', resolve));
    const started = await daemon.json(`${base}/${node.node_id}/start`, { ...post(), expect: 200 });
    const port = /-s (\d+)/.exec(started.command_line)![1];
    const pids = pidsMatching(`-s ${port} `);
    // Kill only the process the agent started: VPCS 0.8 forks a setsid()'d child, which the agent must clean up.
    const parent = pids.find((pid) => readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ')[1] === String(daemon.child.pid));
    t.ok(parent && pids.length === 2, 'found VPCS and its forked child');
    process.kill(parent!, 'SIGKILL');
    const deadline = Date.now() + 10_000;
    const stopped = () => events.some((e) => e.action === 'node.updated' && e.event.node_id === node.node_id && e.event.status === 'stopped');
    const logged = () => events.some((e) => e.action === 'log.error' && /VPCS process has stopped/.test(e.event.message ?? ''));
    while (!(stopped() && logged()) && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 50));
    ws.close();
    t.ok(stopped(), 'node.updated with status stopped');
    t.ok(logged(), 'log.error sent');
    t.equal((await daemon.json(`${base}/${node.node_id}`, { expect: 200 })).status, 'stopped');
    t.same(pidsMatching(`-s ${port} `).filter(processAlive), [], 'the orphaned child was killed too');
    const again = await daemon.json(`${base}/${node.node_id}/start`, { ...post(), expect: 200 });
    t.equal(again.status, 'started', 'the node starts again');
    await daemon.json(`${base}/${node.node_id}/stop`, { ...post(), expect: 204 });
  });
});
