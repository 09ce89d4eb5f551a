/** Hubs and switches hosted by the pool, driven with hand-made Ethernet frames over loopback UDP. */
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import t from 'tap';
import type { FabricPortConfig } from '../../src/relay/types.ts';
import { udpFrame } from './frames.ts';
import { Endpoint, freePort, withPool } from './helpers.ts';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const pool = await withPool(t, 2);

type Station = { endpoint: Endpoint; lport: number };

/** Connects `count` stations (a UDP socket each) to fabric ports 0..count-1. */
async function attach(id: string, configs: Array<FabricPortConfig | undefined>): Promise<Station[]> {
  const stations: Station[] = [];
  for (const [port, config] of configs.entries()) {
    const endpoint = await Endpoint.open();
    const lport = await freePort();
    await pool.setFabricPort(id, port, { lport, rhost: '127.0.0.1', rport: endpoint.port }, config);
    stations.push({ endpoint, lport });
  }
  return stations;
}

const mac = (n: number) => `02:00:00:00:00:${n.toString(16).padStart(2, '0')}`;
const frameFrom = (n: number, dst: string) => udpFrame(`10.0.0.${n}`, '10.0.0.99', 1000, 2000, { src: mac(n), dst });

t.test('a hub repeats frames to every other connected port', async (t) => {
  await pool.createFabric('hub', 'ethernet_hub');
  t.teardown(() => pool.deleteFabric('hub'));
  const stations = await attach('hub', [undefined, undefined, undefined]);
  t.teardown(() => Promise.all(stations.map((s) => s.endpoint.close())));
  await stations[0]!.endpoint.send(frameFrom(1, mac(2)), stations[0]!.lport);
  await stations[1]!.endpoint.waitFor(1);
  await stations[2]!.endpoint.waitFor(1);
  await sleep(30);
  t.same(stations.map((s) => s.endpoint.received.length), [0, 1, 1]);
  t.match(await pool.fabricStats('hub', 0), { packets_in: 1, packets_out: 0 });
  t.match(await pool.fabricStats('hub', 2), { packets_in: 0, packets_out: 1 });

  await pool.setFabricPort('hub', 2, null);
  await t.rejects(pool.fabricStats('hub', 2), /not connected/);
  await stations[0]!.endpoint.send(frameFrom(1, mac(2)), stations[0]!.lport);
  await stations[1]!.endpoint.waitFor(2);
  await sleep(30);
  t.same(stations.map((s) => s.endpoint.received.length), [0, 2, 1], 'a disconnected port gets nothing');
});

t.test('a switch keeps access VLANs apart and tags on trunks', async (t) => {
  await pool.createFabric('sw', 'ethernet_switch');
  t.teardown(() => pool.deleteFabric('sw'));
  const [a, b, c, trunk] = await attach('sw', [
    { type: 'access', vlan: 10 },
    { type: 'access', vlan: 10 },
    { type: 'access', vlan: 20 },
    { type: 'dot1q', vlan: 1 },
  ]);
  t.teardown(() => Promise.all([a, b, c, trunk].map((s) => s!.endpoint.close())));

  await a!.endpoint.send(frameFrom(1, 'ff:ff:ff:ff:ff:ff'), a!.lport);
  await b!.endpoint.waitFor(1);
  await trunk!.endpoint.waitFor(1);
  await c!.endpoint.send(frameFrom(3, 'ff:ff:ff:ff:ff:ff'), c!.lport);
  await trunk!.endpoint.waitFor(2);
  await sleep(30);
  t.equal(c!.endpoint.received.length, 0, 'VLAN 20 saw nothing of VLAN 10');
  t.equal(a!.endpoint.received.length + b!.endpoint.received.length, 1, 'VLAN 10 saw nothing of VLAN 20');
  const vids = trunk!.endpoint.received.map((f) => (f.readUInt16BE(12) === 0x8100 ? f.readUInt16BE(14) : 0));
  t.same(vids, [10, 20], 'trunk got both, tagged');

  // B answers A: A was learnt on port 0, so only A receives it (not the trunk).
  await b!.endpoint.send(frameFrom(2, mac(1)), b!.lport);
  await a!.endpoint.waitFor(1);
  await sleep(30);
  t.equal(a!.endpoint.received.length, 1);
  t.equal(trunk!.endpoint.received.length, 2, 'known unicast is not flooded');

  // Moving port 2 into VLAN 10 live makes it a member.
  await pool.setFabricPort('sw', 2, { lport: c!.lport, rhost: '127.0.0.1', rport: c!.endpoint.port }, { type: 'access', vlan: 10 });
  await a!.endpoint.send(frameFrom(1, 'ff:ff:ff:ff:ff:ff'), a!.lport);
  await c!.endpoint.waitFor(1);
  t.equal(c!.endpoint.received.length, 1, 'reconfigured port joined VLAN 10');
  await t.rejects(pool.setFabricPort('sw', 5, { lport: 1, rhost: '127.0.0.1', rport: 1 }, { type: 'access', vlan: 5000 }), /VLAN "5000"/);
});

t.test('fabric port capture sees both directions; fabrics survive a worker crash', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'fabric-capture-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  await pool.createFabric('hub2', 'ethernet_hub');
  t.teardown(() => pool.deleteFabric('hub2'));
  const [x, y] = await attach('hub2', [undefined, undefined]);
  t.teardown(() => Promise.all([x, y].map((s) => s!.endpoint.close())));
  const file = join(dir, 'port0.pcap');
  await pool.startFabricCapture('hub2', 0, file);
  await x!.endpoint.send(frameFrom(1, mac(2)), x!.lport);
  await y!.endpoint.waitFor(1);
  await y!.endpoint.send(frameFrom(2, mac(1)), y!.lport);
  await x!.endpoint.waitFor(1);

  // A crash loses what the capture had not flushed yet (at most FLUSH_MS worth): let it flush first.
  await sleep(150);
  await pool.injectWorkerCrash('hub2');
  await x!.endpoint.send(frameFrom(1, mac(2)), x!.lport);
  await y!.endpoint.waitFor(2);
  t.equal(y!.endpoint.received.length, 2, 'hub relays again after the crash');
  await pool.stopFabricCapture('hub2', 0);
  const sources = await new Promise<string>((resolve, reject) =>
    execFile('tshark', ['-r', file, '-T', 'fields', '-e', 'eth.src'], (error, stdout) => (error ? reject(error) : resolve(stdout))),
  );
  t.same(sources.trim().split('\n'), [mac(1), mac(2), mac(1)], 'capture continued across the restart');
});
