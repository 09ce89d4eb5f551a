/**
 * Docker nodes on the compute API, against the real dockerd and the pbdk-busybox images built by the setup script:
 * defaults and bad input, consoles (telnet multiplexed on the TTY, aux shell, WebSocket, HTTP forwarding),
 * lifecycle (persistent /etc/network, pause, reload, a killed container), least privilege, and project close.
 */
import t from 'tap';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import WebSocket from 'ws';
import { connect } from 'node:net';
import { execFileSync } from 'node:child_process';
import { withDaemon, post, put } from '../helpers/daemon.ts';
import { TelnetClient } from '../helpers/telnet.ts';
import { CONFIG_IMAGE, IMAGE, QUICK_STOP, containersOf, docker, dockerProject, execIn, inspect, until } from './helpers.ts';

/** Connects to a telnet console, sends a NAWS window size, and returns what the console sent first (its greeting). */
async function announceWindowSize(port: number, columns: number, rows: number): Promise<Buffer> {
  const socket = connect({ host: '127.0.0.1', port });
  const greeting = await new Promise<Buffer>((resolve, reject) => socket.once('data', resolve).once('error', reject));
  socket.write(Buffer.from([255, 250, 31, columns >> 8, columns & 255, rows >> 8, rows & 255, 255, 240]));
  await new Promise<void>((resolve) => socket.end(() => resolve()));
  return greeting;
}

t.test('docker nodes', async (t) => {
  const daemon = await withDaemon(t);
  const { base, stateDir } = await dockerProject(t, daemon, 'docker');
  const events: Array<{ action: string; event: any }> = [];
  const notifications = new WebSocket(`${daemon.url.replace('http', 'ws')}/v2/compute/notifications/ws`);
  notifications.on('message', (data) => events.push(JSON.parse(String(data))));
  await new Promise((resolve) => notifications.once('open', resolve));
  t.teardown(() => notifications.close());

  t.test('defaults, image listing, no GET route, and bad input that creates no container', async (t) => {
    const node = await daemon.json(base, { ...post({ name: 'D1', image: 'pbdk-busybox', console_type: 'telnet' }), expect: 201 });
    t.match(node, {
      name: 'D1', image: 'pbdk-busybox:latest', adapters: 1, console_type: 'telnet', console_resolution: '1024x768',
      console_http_port: 80, console_http_path: '/', start_command: null, environment: null, extra_hosts: null,
      extra_volumes: [], usage: '', status: 'stopped', privileged: false, mac_address: `02:42:${node.node_id.slice(2, 4)}:${node.node_id.slice(4, 6)}:${node.node_id.slice(6, 8)}:00`,
    });
    t.match(node.container_id, /^[0-9a-f]{64}$/);
    t.type(node.console, 'number');
    t.type(node.aux, 'number');
    t.equal(inspect(node.container_id).State.Status, 'created', 'the container is created, not started');
    t.match(readFileSync(join(node.node_directory, 'etc', 'network', 'interfaces'), 'utf8'), /#iface eth0 inet static/);

    const get = await daemon.api(`${base}/${node.node_id}`);
    t.equal(get.status, 405, 'GNS3 has no GET route for one Docker node');
    await get.text();

    const images = await daemon.json('/v2/compute/docker/images', { expect: 200 });
    t.ok(images.some((i: { image: string }) => i.image === IMAGE), 'local images listed');

    const before = containersOf(stateDir).length;
    const bad: Array<[Record<string, unknown>, number, RegExp]> = [
      [{ image: 'pbdk-no-such-image' }, 409, /pbdk-no-such-image:latest" is not available/],
      [{ image: 'Bad Image!' }, 400, /"image": is not a valid Docker image reference/],
      [{ image: IMAGE, adapters: 0 }, 400, /"adapters"/],
      [{ image: IMAGE, adapters: 100 }, 400, /"adapters"/],
      [{ image: IMAGE, environment: 'GOOD=1\nno-equals-sign' }, 400, /"environment": line "no-equals-sign"/],
      [{ image: IMAGE, extra_hosts: 'host-without-address' }, 400, /"extra_hosts"/],
      [{ image: IMAGE, extra_volumes: ['data'] }, 400, /"extra_volumes\.0": "data" must start with/],
      [{ image: IMAGE, extra_volumes: ['/a/../b'] }, 400, /"extra_volumes\.0": .* must not contain "\.\."/],
      [{ image: IMAGE, start_command: "sh -c 'unclosed" }, 409, /No closing quotation/],
      [{ image: IMAGE, console_type: 'spice' }, 400, /"console_type"/],
      [{ image: IMAGE, console_type: undefined }, 400, /"console_type"/],
      [{ image: IMAGE, mac_address: '02:00:00:00:00' }, 400, /"mac_address": must be a MAC address/],
    ];
    for (const [fields, status, message] of bad) {
      const response = await daemon.api(base, post({ name: 'bad', console_type: 'telnet', ...fields }));
      const body = await response.json();
      t.equal(response.status, status, `${JSON.stringify(fields)} → ${status}`);
      t.match(body.message, message);
    }
    t.equal(containersOf(stateDir).length, before, 'no container was created by bad input');
    await daemon.json(`${base}/${node.node_id}`, { method: 'DELETE', expect: 204 });
    t.equal(inspect(node.container_id), null, 'delete removes the container');
  });

  t.test('consoles: shared telnet TTY, aux shell, WebSocket, HTTP forwarding', async (t) => {
    const node = await daemon.json(base, { ...post({ name: 'C1', image: IMAGE, console_type: 'telnet' }), expect: 201 });
    await daemon.json(`${base}/${node.node_id}/start`, { ...post(), expect: 204 });
    const a = await TelnetClient.connect(node.console);
    const b = await TelnetClient.connect(node.console);
    t.teardown(() => {
      a.close();
      b.close();
    });
    await a.run('echo from-a-$((40+2))', /from-a-42/);
    await b.waitFor(/from-a-42/);
    t.pass('the second client sees what the first typed and its answer');
    await b.run('echo $$', /\r\n1\r\n/);
    t.pass('the console is the container TTY: its shell is PID 1');

    const aux = await TelnetClient.connect(node.aux);
    t.teardown(() => aux.close());
    await aux.run('echo aux-$$', /aux-(?!1\r)\d+/);
    t.pass('aux gives another shell');

    // NAWS: the size a telnet client announces becomes the TTY's size, on the console and on the aux shell.
    for (const [port, client, columns, rows] of [[node.console, a, 100, 40], [node.aux, aux, 120, 50]] as const) {
      const greeting = await announceWindowSize(port, columns, rows);
      t.ok(greeting.includes(Buffer.from([255, 253, 31])), 'the console asks for window sizes (DO NAWS)');
      await until(async () => (await client.run('stty size', /\d+ \d+\r\n/)).startsWith(`${rows} ${columns}`), 'the new size');
      t.pass(`the ${port === node.console ? 'console' : 'aux'} TTY is ${columns}x${rows}`);
    }

    const ws = new WebSocket(`${daemon.url.replace('http', 'ws')}${base}/${node.node_id}/console/ws`);
    let received = '';
    ws.on('message', (data: Buffer) => (received += data.toString('latin1')));
    await new Promise((resolve, reject) => ws.once('open', resolve).once('error', reject));
    ws.send('echo ws-$((6*7))\r');
    await until(() => received.includes('ws-42'), 'the websocket console answer');
    ws.close();
    t.pass('console websocket works');

    const web = await daemon.json(base, {
      ...post({
        name: 'W1', image: IMAGE, console_type: 'http', console_http_port: 8080,
        start_command: "sh -c 'mkdir -p /www && echo hello-from-container > /www/index.html && exec httpd -f -p 8080 -h /www'",
      }),
      expect: 201,
    });
    await daemon.json(`${base}/${web.node_id}/start`, { ...post(), expect: 204 });
    const page = await until(async () => {
      try {
        const response = await fetch(`http://127.0.0.1:${web.console}/`);
        return response.ok ? await response.text() : null;
      } catch {
        return null;
      }
    }, 'the container web server through the HTTP console');
    t.match(page, /hello-from-container/, 'the HTTP console forwards to the web server in the container');
    await daemon.json(`${base}/${web.node_id}`, { method: 'DELETE', expect: 204 });
    await daemon.json(`${base}/${node.node_id}`, { method: 'DELETE', expect: 204 });
  });

  t.test('lifecycle: persistent /etc/network, pause, reload, a killed container', async (t) => {
    const node = await daemon.json(base, {
      ...post({ name: 'L1', image: IMAGE, console_type: 'none', start_command: QUICK_STOP, extra_hosts: 'gw.example:10.99.0.254' }),
      expect: 201,
    });
    t.equal(node.console, null);
    const interfaces = join(node.node_directory, 'etc', 'network', 'interfaces');
    await daemon.json(`${base}/${node.node_id}/start`, { ...post(), expect: 204 });
    t.match(execIn(node.container_id, 'cat', '/etc/hosts'), /10\.99\.0\.254\tgw\.example/, 'extra hosts written');
    // An edit made inside the container lands in the node directory and is applied at the next start.
    execIn(node.container_id, 'sh', '-c', 'printf "auto eth0\\niface eth0 inet static\\n\\taddress 10.99.0.1\\n\\tnetmask 255.255.255.0\\n" > /etc/network/interfaces');
    t.match(readFileSync(interfaces, 'utf8'), /address 10\.99\.0\.1/, 'the edit is in the node directory');
    await daemon.json(`${base}/${node.node_id}/stop`, { ...post(), expect: 204 });
    t.equal(inspect(node.container_id).State.Running, false);
    await daemon.json(`${base}/${node.node_id}/start`, { ...post(), expect: 204 });
    t.match(execIn(node.container_id, 'ip', 'addr', 'show', 'eth0'), /inet 10\.99\.0\.1\/24/, 'interfaces file applied after stop/start');
    const mac = execIn(node.container_id, 'cat', '/sys/class/net/eth0/address');
    t.equal(mac, `02:42:${node.node_id.slice(2, 4)}:${node.node_id.slice(4, 6)}:${node.node_id.slice(6, 8)}:00`, 'eth0 has the node MAC');

    await daemon.json(`${base}/${node.node_id}/suspend`, { ...post(), expect: 204 });
    t.equal(inspect(node.container_id).State.Paused, true, 'suspend pauses the container');
    await daemon.json(`${base}/${node.node_id}/unpause`, { ...post(), expect: 204 });
    t.equal(inspect(node.container_id).State.Paused, false, 'unpause resumes it');
    await daemon.json(`${base}/${node.node_id}/pause`, { ...post(), expect: 204 });
    await daemon.json(`${base}/${node.node_id}/start`, { ...post(), expect: 204 });
    t.equal(inspect(node.container_id).State.Paused, false, 'start on a paused node unpauses it');

    const pidBefore = inspect(node.container_id).State.Pid;
    await daemon.json(`${base}/${node.node_id}/reload`, { ...post(), expect: 204 });
    const reloaded = inspect(node.container_id).State;
    t.ok(reloaded.Running && reloaded.Pid !== pidBefore, 'reload restarts the container');
    t.match(execIn(node.container_id, 'ip', 'addr', 'show', 'eth0'), /10\.99\.0\.1/, 'and rewires its interfaces');

    const errorsBefore = events.filter((e) => e.action === 'log.error').length;
    process.kill(reloaded.Pid, 'SIGKILL');
    await until(() => events.some((e) => e.action === 'node.updated' && e.event.node_id === node.node_id && e.event.status === 'stopped'), 'node.updated stopped');
    // The relay reports the TAP devices vanishing with the container's namespace too; the node's own error says why.
    const error = await until(() => events.filter((e) => e.action === 'log.error').slice(errorsBefore)
      .find((e) => /Docker container 'L1' process has stopped/.test(e.event.message)), 'log.error');
    t.match(error!.event.message, /return code: 137/);
    await daemon.json(`${base}/${node.node_id}/start`, { ...post(), expect: 204 });
    t.equal(inspect(node.container_id).State.Running, true, 'a crashed node starts again');

    const updated = await daemon.json(`${base}/${node.node_id}`, { ...put({ environment: 'FOO=bar\nB=%vm-name%' }), expect: 200 });
    t.not(updated.container_id, node.container_id, 'a changed setting re-creates the container');
    t.equal(inspect(node.container_id), null, 'the old container is gone');
    t.equal(updated.status, 'started', 'and the node runs again');
    const env: string[] = inspect(updated.container_id).Config.Env;
    t.ok(env.includes('FOO=bar') && env.includes('B="L1"'), 'environment lines with %vm-name% replaced');
    t.match(execIn(updated.container_id, 'ip', 'addr', 'show', 'eth0'), /10\.99\.0\.1/, 'persistent /etc/network survives the re-creation');
    writeFileSync(interfaces, '');
  });

  t.test('image settings: USER, ENV, VOLUME, ENTRYPOINT and CMD', async (t) => {
    const node = await daemon.json(base, { ...post({ name: 'U1', image: CONFIG_IMAGE, console_type: 'none', extra_volumes: ['/srv', '/data/sub'] }), expect: 201 });
    const config = inspect(node.container_id).Config;
    t.same(config.Entrypoint, ['/gns3/init.sh', '/bin/sleep'], 'our init runs first, then the image entrypoint');
    t.same(config.Cmd, ['1000']);
    t.equal(config.User, 'root', 'init runs as root and drops to the image user itself');
    t.ok(config.Env.includes('GNS3_USER=user'));
    await daemon.json(`${base}/${node.node_id}/start`, { ...post(), expect: 204 });
    const status = await until(() => {
      const text = execIn(node.container_id, 'cat', '/proc/1/status');
      return /Uid:\s+1000/.test(text) ? text : null;
    }, 'PID 1 running as the image user');
    t.match(status, /Name:\s+sleep/, 'the image entrypoint is PID 1');
    const mounts = inspect(node.container_id).Mounts.map((m: { Destination: string }) => m.Destination).sort();
    t.same(mounts, ['/data', '/etc/network', '/gns3', '/gns3/bin/busybox', '/srv'], 'image VOLUME and extra volumes persist, nested ones folded');
    t.equal(execIn(node.container_id, 'cat', '/data/image-file'), 'from-image', 'a new volume starts with the image content');
    t.equal(readFileSync(join(node.node_directory, 'data', 'image-file'), 'utf8').trim(), 'from-image', 'kept in the node directory');
    await daemon.json(`${base}/${node.node_id}`, { method: 'DELETE', expect: 204 });
  });

  t.test('image USER user:group: PID 1 runs with that group', async (t) => {
    // Built here from the local config image (nothing to pull), removed at the end.
    const image = `pbdk-usergroup-${process.pid}:latest`;
    execFileSync('docker', ['build', '-q', '-t', image, '-'], { input: `FROM ${CONFIG_IMAGE}\nUSER user:nogroup\n`, stdio: ['pipe', 'ignore', 'pipe'] });
    t.teardown(() => docker('rmi', '-f', image));
    const node = await daemon.json(base, { ...post({ name: 'G1', image, console_type: 'none' }), expect: 201 });
    t.ok(inspect(node.container_id).Config.Env.includes('GNS3_USER=user:nogroup'));
    await daemon.json(`${base}/${node.node_id}/start`, { ...post(), expect: 204 });
    const status = await until(() => {
      const text = execIn(node.container_id, 'cat', '/proc/1/status');
      return /Uid:\s+1000/.test(text) ? text : null;
    }, 'PID 1 running as the image user');
    t.match(status, /Gid:\s+65534\s/, 'with the group of USER, not the user\'s own');
    t.match(status, /Groups:\s+65534\s*\n/, 'and no other group');
    t.match(status, /Name:\s+sleep/, 'the image entrypoint is PID 1');
    await daemon.json(`${base}/${node.node_id}`, { method: 'DELETE', expect: 204 });
  });

  t.test('least privilege, and the privileged opt-in', async (t) => {
    const node = await daemon.json(base, { ...post({ name: 'P1', image: IMAGE, console_type: 'none', start_command: QUICK_STOP }), expect: 201 });
    const host = inspect(node.container_id).HostConfig;
    t.equal(host.Privileged, false);
    t.same(host.CapAdd, ['NET_ADMIN'], 'only NET_ADMIN on top of Docker\'s default set');
    t.equal(host.NetworkMode, 'none', 'no Docker networking');
    await daemon.json(`${base}/${node.node_id}`, { method: 'DELETE', expect: 204 });

    const privileged = await daemon.json(base, { ...post({ name: 'P2', image: IMAGE, console_type: 'none', start_command: QUICK_STOP, privileged: true }), expect: 201 });
    t.equal(inspect(privileged.container_id).HostConfig.Privileged, true);
    // Docker grants a privileged container every capability it knows; runc refuses when the host's bounding set
    // lacks one (this sandbox has no CAP_SYS_RESOURCE), which must come back as a 409, not a hang or a 500.
    const bounding = BigInt(`0x${/CapBnd:\s+([0-9a-f]+)/.exec(readFileSync('/proc/self/status', 'utf8'))![1]}`);
    const lastCap = Number(readFileSync('/proc/sys/kernel/cap_last_cap', 'utf8'));
    const full = bounding === (1n << BigInt(lastCap + 1)) - 1n;
    const response = await daemon.api(`${base}/${privileged.node_id}/start`, post());
    if (full) {
      t.equal(response.status, 204, 'the privileged node starts where the host allows it');
      t.equal(inspect(privileged.container_id).State.Running, true);
    } else {
      t.equal(response.status, 409, 'this host cannot grant every capability: a clear 409');
      t.match((await response.json()).message, /unable to apply caps|operation not permitted/);
    }
    await daemon.json(`${base}/${privileged.node_id}`, { method: 'DELETE', expect: 204 });
  });

  t.test('project close removes every container and interface', async (t) => {
    const closeId = randomUUID();
    await daemon.json('/v2/compute/projects', { ...post({ name: 'close', project_id: closeId }), expect: 201 });
    const nodes = await Promise.all(['X1', 'X2'].map((name) =>
      daemon.json(`/v2/compute/projects/${closeId}/docker/nodes`, { ...post({ name, image: IMAGE, console_type: 'telnet', adapters: 2, start_command: QUICK_STOP }), expect: 201 })));
    for (const node of nodes) await daemon.json(`/v2/compute/projects/${closeId}/docker/nodes/${node.node_id}/start`, { ...post(), expect: 204 });
    await daemon.json(`/v2/compute/projects/${closeId}/close`, { ...post(), expect: 204 });
    for (const node of nodes) t.equal(inspect(node.container_id), null, `${node.name}'s container is gone`);
    const links = readFileSync('/proc/net/dev', 'utf8');
    for (const node of nodes) t.notMatch(links, new RegExp(`pbd${node.node_id.slice(0, 8)}`), `no TAP of ${node.name} left on the host`);
  });

  t.test('SIGTERM: the agent removes its containers before exiting', async (t) => {
    const node = await daemon.json(base, { ...post({ name: 'T1', image: IMAGE, console_type: 'telnet' }), expect: 201 });
    await daemon.json(`${base}/${node.node_id}/start`, { ...post(), expect: 204 });
    t.equal(await daemon.stop(), 0);
    t.equal(inspect(node.container_id), null);
    t.same(containersOf(stateDir), [], 'no container of this agent left');
  });
});

t.test('after a SIGKILLed agent, the next one removes its containers and only those', async (t) => {
  const root = mkdtempSync(join(tmpdir(), 'pbdk-reap-'));
  t.teardown(() => rmSync(root, { recursive: true, force: true }));
  const stateDir = join(root, 'projects', '.patchbay');
  const handMade = docker('run', '-d', '--network', 'none', '--name', `pbdk-handmade-${process.pid}`, IMAGE, 'sleep', '300');
  t.teardown(() => docker('rm', '-f', handMade));

  const first = await withDaemon(t, { root }); // SIGKILLed below; the teardown still stops it if the test fails first
  const { base } = await dockerProject(t, first, 'reap');
  const node = await first.json(base, { ...post({ name: 'R1', image: IMAGE, console_type: 'telnet', start_command: QUICK_STOP }), expect: 201 });
  await first.json(`${base}/${node.node_id}/start`, { ...post(), expect: 204 });
  first.child.kill('SIGKILL');
  await first.stop();
  t.equal(inspect(node.container_id)?.State.Running, true, 'the container outlived its agent');

  await withDaemon(t, { root });
  t.equal(inspect(node.container_id), null, 'the next agent on that state directory removed it');
  t.same(containersOf(stateDir), []);
  t.equal(inspect(handMade)?.State.Running, true, 'a container made by hand survives');
});
