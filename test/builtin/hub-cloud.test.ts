/** Builtin hub and cloud through the compute API, with plain UDP sockets standing in for the linked nodes. */
import t from 'tap';
import { post, put, withDaemon, withProject } from '../helpers/daemon.ts';
import { Endpoint, numberedFrame } from '../relay/helpers.ts';

t.test('hub and cloud', async (t) => {
  const daemon = await withDaemon(t);
  const { path: project, udpPort } = await withProject(t, daemon, 'builtin');

  t.test('a hub floods to every other port', async (t) => {
    const hub = await daemon.json(`${project}/ethernet_hub/nodes`, { ...post({ name: 'HUB1' }), expect: 201 });
    t.equal(hub.ports_mapping.length, 8);
    t.match(hub, { status: 'started', ports_mapping: [{ name: 'Ethernet0', port_number: 0 }] });
    const stations = await Promise.all([0, 1, 2].map(() => Endpoint.open()));
    t.teardown(() => Promise.all(stations.map((s) => s.close())));
    const lports: number[] = [];
    for (const [port, station] of stations.entries()) {
      const lport = await udpPort();
      lports.push(lport);
      const nio = await daemon.json(`${project}/ethernet_hub/nodes/${hub.node_id}/adapters/0/ports/${port}/nio`, {
        ...post({ type: 'nio_udp', lport, rhost: '127.0.0.1', rport: station.port }),
        expect: 201,
      });
      t.same(nio, { type: 'nio_udp', lport, rhost: '127.0.0.1', rport: station.port });
    }
    await stations[1]!.send(numberedFrame(1), lports[1]!);
    await stations[0]!.waitFor(1);
    await stations[2]!.waitFor(1);
    t.same(stations.map((s) => s.received.length), [1, 0, 1]);

    const change = await daemon.api(`${project}/ethernet_hub/nodes/${hub.node_id}`, put({ ports_mapping: [{ name: 'x', port_number: 0 }] }));
    t.equal(change.status, 409, "a connected hub can't be remapped");
    const update = await daemon.api(`${project}/ethernet_hub/nodes/${hub.node_id}/adapters/0/ports/0/nio`, put({
      type: 'nio_udp', lport: lports[0], rhost: '127.0.0.1', rport: stations[0]!.port,
    }));
    t.equal(update.status, 404, 'no NIO update on a hub');
    await daemon.json(`${project}/ethernet_hub/nodes/${hub.node_id}/adapters/0/ports/2/nio`, { method: 'DELETE', expect: 204 });
    const again = await daemon.json(`${project}/ethernet_hub/nodes/${hub.node_id}/adapters/0/ports/2/nio`, { method: 'DELETE', expect: 409 });
    t.match(again, { message: 'Port 2 is not allocated' });
    await daemon.json(`${project}/ethernet_hub/nodes/${hub.node_id}`, { method: 'DELETE', expect: 204 });
  });

  t.test('a cloud UDP port is bridged to the link, with filters', async (t) => {
    const outside = await Endpoint.open();
    const peer = await Endpoint.open();
    t.teardown(() => Promise.all([outside.close(), peer.close()]));
    const mappingPort = await udpPort();
    const cloud = await daemon.json(`${project}/cloud/nodes`, {
      ...post({
        name: 'Cloud1',
        ports_mapping: [{ name: 'UDP tunnel 1', port_number: 5, type: 'udp', lport: mappingPort, rhost: '127.0.0.1', rport: outside.port }],
      }),
      expect: 201,
    });
    t.match(cloud, {
      status: 'started',
      remote_console_port: 23,
      remote_console_type: 'none',
      ports_mapping: [{ port_number: 0, type: 'udp', lport: mappingPort }],
      interfaces: Array,
    });
    const nioPort = await udpPort();
    const nioUrl = `${project}/cloud/nodes/${cloud.node_id}/adapters/0/ports/0/nio`;
    await daemon.json(nioUrl, { ...post({ type: 'nio_udp', lport: nioPort, rhost: '127.0.0.1', rport: peer.port }), expect: 201 });
    await outside.send(numberedFrame(1), mappingPort);
    t.same((await peer.waitFor(1)).map((f) => f.readUInt32BE(0)), [1], 'outside → link');
    await peer.send(numberedFrame(2), nioPort);
    t.same((await outside.waitFor(1)).map((f) => f.readUInt32BE(0)), [2], 'link → outside');

    await daemon.json(nioUrl, {
      ...put({ type: 'nio_udp', lport: nioPort, rhost: '127.0.0.1', rport: peer.port, filters: { frequency_drop: [-1] } }),
      expect: 201,
    });
    await outside.send(numberedFrame(3), mappingPort);
    await peer.waitFor(2, 300);
    t.equal(peer.received.length, 1, 'filters applied live');

    const bad = await daemon.api(nioUrl, put({ type: 'nio_udp', lport: nioPort, rhost: '127.0.0.1', rport: peer.port, filters: { bpf: ['tcp portrange 1-2'] } }));
    t.equal(bad.status, 400, "an invalid bpf filter is a 400");

    // A NIO on a port the mapping lacks: 201, then the cloud stops and start answers 409.
    await daemon.json(`${project}/cloud/nodes/${cloud.node_id}/adapters/0/ports/3/nio`, {
      ...post({ type: 'nio_udp', lport: await udpPort(), rhost: '127.0.0.1', rport: 9 }),
      expect: 201,
    });
    t.match(await daemon.json(`${project}/cloud/nodes/${cloud.node_id}`, { expect: 200 }), { status: 'stopped' });
    const start = await daemon.json(`${project}/cloud/nodes/${cloud.node_id}/start`, { ...post(), expect: 409 });
    t.match(start, { message: "Port 3 doesn't exist on cloud 'Cloud1'" });
  });
});
