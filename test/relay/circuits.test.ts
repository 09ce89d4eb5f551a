/** Frame Relay and ATM switching: the pure logic, GNS3 mappings, and the relay carrying frames/cells between ports. */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import t from 'tap';
import { activeCircuits, mappingsProblem, portConfigs } from '../../src/compute/builtin/circuits.ts';
import { AtmLogic, headerErrorCheck, relabel, vciOf, vpiOf } from '../../src/relay/switching/atm.ts';
import { dlciOf, FrameRelayLogic, withDlci } from '../../src/relay/switching/frame-relay.ts';
import type { FabricPortConfig } from '../../src/relay/types.ts';
import { Endpoint, freePort, withPool } from './helpers.ts';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** A Frame Relay frame on `dlci` (Q.922 address with EA bit, UI control, NLPID IP, payload). */
const frFrame = (dlci: number, payload = 'hello') =>
  Uint8Array.from([...withDlci(Uint8Array.from([0x00, 0x01]), dlci), 0x03, 0xcc, ...Buffer.from(payload)]);

/** An ATM cell (GFC 0) with a correct HEC and a recognisable payload. */
function cell(vpi: number, vci: number, fill = 0x6a): Uint8Array {
  return relabel(new Uint8Array(53).fill(fill), vpi, vci);
}

/** ANSI LMI status enquiry: report type (0 full, 1 link integrity) and sequence numbers. */
const enquiry = (report: number, send: number, receive: number) =>
  Uint8Array.from([0x00, 0x01, 0x03, 0x08, 0x00, 0x75, 0x95, 0x01, 0x01, report, 0x03, 0x02, send, receive]);

function run(logic: FrameRelayLogic | AtmLogic, port: number, frame: Uint8Array) {
  const out: Array<[number, Uint8Array]> = [];
  const reason = logic.receive(port, frame, 0, (p, f) => out.push([p, f]));
  return { reason, out };
}

t.test('Frame Relay: DLCIs are switched and rewritten between ports', async (t) => {
  const logic = new FrameRelayLogic();
  logic.setPort(1, { type: 'frame_relay', vcs: [{ dlci: 102, port: 2, dlciOut: 201 }] });
  logic.setPort(2, { type: 'frame_relay', vcs: [{ dlci: 201, port: 1, dlciOut: 102 }] });
  logic.setPort(3, { type: 'frame_relay', vcs: [] });
  const { reason, out } = run(logic, 1, frFrame(102));
  t.equal(reason, '');
  t.equal(out.length, 1);
  t.equal(out[0]![0], 2);
  t.equal(dlciOf(out[0]![1]), 201);
  t.same([...out[0]![1].subarray(2)], [...frFrame(102).subarray(2)], 'payload untouched');
  t.equal(dlciOf(run(logic, 2, frFrame(201)).out[0]![1]), 102, 'and back');
  t.equal(run(logic, 1, frFrame(103)).reason, 'unknown_dlci');
  t.equal(run(logic, 3, frFrame(102)).reason, 'no_circuit', 'a port without circuits receives nothing (as in Dynamips)');
  t.equal(run(logic, 1, Uint8Array.from([0])).reason, 'runt');
  t.throws(() => logic.setPort(4, { type: 'frame_relay', vcs: [{ dlci: 1024, port: 1, dlciOut: 1 }] }), /Invalid DLCI/);
  t.throws(() => logic.setPort(4, { type: 'access', vlan: 1 }), /frame_relay config/);
});

t.test('Frame Relay: ANSI LMI enquiries get a status with the port’s DLCIs and running sequence numbers', async (t) => {
  const logic = new FrameRelayLogic();
  logic.setPort(1, { type: 'frame_relay', vcs: [{ dlci: 300, port: 2, dlciOut: 30 }, { dlci: 102, port: 2, dlciOut: 20 }] });
  logic.setPort(2, { type: 'frame_relay', vcs: [{ dlci: 20, port: 1, dlciOut: 102 }, { dlci: 30, port: 1, dlciOut: 300 }] });
  const full = run(logic, 1, enquiry(0, 1, 0));
  t.equal(full.out.length, 1);
  t.equal(full.out[0]![0], 1, 'answered on the asking port');
  const reply = [...full.out[0]![1]];
  t.same(reply.slice(0, 7), [0x00, 0x01, 0x03, 0x08, 0x00, 0x7d, 0x95], 'STATUS message');
  t.same(reply.slice(7, 10), [0x01, 0x01, 0x00], 'full status report');
  t.same(reply.slice(10, 14), [0x03, 0x02, 0x01, 0x01], 'our sequence 1, echoing theirs');
  // PVC status IEs for DLCI 102 then 300, both active.
  t.same(reply.slice(14), [0x07, 0x03, 102 >> 4, 0x80 | ((102 & 15) << 3), 0x82, 0x07, 0x03, 300 >> 4, 0x80 | ((300 & 15) << 3), 0x82]);
  const integrity = [...run(logic, 1, enquiry(1, 2, 1)).out[0]![1]];
  t.same(integrity.slice(7), [0x01, 0x01, 0x01, 0x03, 0x02, 0x02, 0x02], 'link integrity only: no PVCs, sequence moves on');
  const resync = [...run(logic, 1, enquiry(1, 3, 9)).out[0]![1]];
  t.same(resync.slice(10), [0x03, 0x02, 10, 3], 'resynchronised on the user’s receive sequence');
  t.equal(run(logic, 1, Uint8Array.from([0x00, 0x01, 0x03, 0x08, 0x00, 0x75, 0x95, 0x01, 0x01])).reason, 'bad_lmi', 'no sequence IE');
});

t.test('ATM: virtual paths rewrite the VPI, virtual channels both, and the HEC is recomputed', async (t) => {
  const logic = new AtmLogic();
  logic.setPort(1, { type: 'atm', vps: [{ vpi: 5, port: 2, vpiOut: 6 }], vcs: [{ vpi: 1, vci: 100, port: 2, vpiOut: 2, vciOut: 200 }] });
  logic.setPort(2, { type: 'atm', vps: [{ vpi: 6, port: 1, vpiOut: 5 }], vcs: [{ vpi: 2, vci: 200, port: 1, vpiOut: 1, vciOut: 100 }] });
  const vc = run(logic, 1, cell(1, 100));
  t.equal(vc.out[0]![0], 2);
  t.same([vpiOf(vc.out[0]![1]), vciOf(vc.out[0]![1])], [2, 200]);
  t.equal(vc.out[0]![1][4], headerErrorCheck(vc.out[0]![1]));
  const vp = run(logic, 1, cell(5, 777));
  t.same([vp.out[0]![0], vpiOf(vp.out[0]![1]), vciOf(vp.out[0]![1])], [2, 6, 777], 'a path keeps the VCI');
  t.same([...run(logic, 2, cell(2, 200)).out[0]![1]], [...cell(1, 100)], 'back to the original cell');
  t.equal(run(logic, 1, cell(1, 101)).reason, 'unknown_vc');
  t.equal(run(logic, 1, new Uint8Array(60)).reason, 'not_a_cell');
  // Known value: the idle cell header 00 00 00 01 has HEC 0x52 (ITU-T I.432).
  t.equal(headerErrorCheck(Uint8Array.from([0, 0, 0, 1])), 0x52);
});

t.test('GNS3 mappings: validation, activation when both ports are connected, first mapping wins', async (t) => {
  t.equal(mappingsProblem('frame_relay', { '1:101': '2:202' }), null);
  t.match(mappingsProblem('frame_relay', { '1:2000': '2:202' }), /DLCI 2000 is above 1023/);
  t.match(mappingsProblem('frame_relay', { 'a:1': '2:2' }), /is not "port:dlci"/);
  t.equal(mappingsProblem('atm', { '1:10:100': '2:20:200', '1:11': '3:12' }), null);
  t.match(mappingsProblem('atm', { '1:10:100': '2:20' }), /both be a path or both a channel/);
  t.match(mappingsProblem('atm', { '1:5000': '2:20' }), /VPI 5000 is above 4095/);
  const mappings = { '1:101': '2:202', '2:202': '3:404', '3:505': '4:606' };
  t.same(activeCircuits('frame_relay', mappings, new Set([1])), [], 'nothing while only one end is connected');
  t.equal(activeCircuits('frame_relay', mappings, new Set([1, 2, 3])).length, 1, '2:202 is taken by the first mapping');
  const configs = portConfigs('atm', { '1:10:100': '2:20:200', '1:7': '2:8' }, new Set([1, 2, 9]));
  t.same(configs.get(1), { type: 'atm', vps: [{ vpi: 7, port: 2, vpiOut: 8 }], vcs: [{ vpi: 10, vci: 100, port: 2, vpiOut: 20, vciOut: 200 }] });
  t.same(configs.get(9), { type: 'atm', vps: [], vcs: [] }, 'a connected port without mappings carries nothing');
});

t.test('relay: Frame Relay and ATM switches carry traffic between UDP ports and capture with their link type', async (t) => {
  const pool = await withPool(t, 1);
  const dir = mkdtempSync(join(tmpdir(), 'dyn-circuits-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const cases: Array<[kind: 'frame_relay_switch' | 'atm_switch', frame: Uint8Array, check: (f: Uint8Array) => boolean, configs: FabricPortConfig[]]> = [
    ['frame_relay_switch', frFrame(102), (f) => dlciOf(f) === 201, [
      { type: 'frame_relay', vcs: [{ dlci: 102, port: 1, dlciOut: 201 }] },
      { type: 'frame_relay', vcs: [{ dlci: 201, port: 0, dlciOut: 102 }] },
    ]],
    ['atm_switch', cell(1, 100), (f) => vpiOf(f) === 2 && vciOf(f) === 200, [
      { type: 'atm', vps: [], vcs: [{ vpi: 1, vci: 100, port: 1, vpiOut: 2, vciOut: 200 }] },
      { type: 'atm', vps: [], vcs: [{ vpi: 2, vci: 200, port: 0, vpiOut: 1, vciOut: 100 }] },
    ]],
  ];
  for (const [kind, frame, reply, configs] of cases) {
    await pool.createFabric(kind, kind);
    const stations = [await Endpoint.open(), await Endpoint.open()];
    const lports = [await freePort(), await freePort()];
    for (const i of [0, 1]) await pool.setFabricPort(kind, i, { lport: lports[i]!, rhost: '127.0.0.1', rport: stations[i]!.port }, configs[i]);
    const capture = join(dir, `${kind}.pcap`);
    await pool.startFabricCapture(kind, 1, capture);
    await stations[0]!.send(frame, lports[0]!);
    const [received] = await stations[1]!.waitFor(1);
    t.ok(reply(received!), `${kind}: switched and relabelled`);
    t.match(await pool.fabricStats(kind, 0), { packets_in: 1 });
    t.match(await pool.fabricStats(kind, 1), { packets_out: 1 });
    await pool.stopFabricCapture(kind, 1);
    await sleep(10);
    const pcap = readFileSync(capture);
    t.equal(pcap.readUInt32LE(20), kind === 'atm_switch' ? 11 : 107, `${kind}: capture link type`);
    t.equal(pcap.length, 24 + 16 + received!.length, 'one record');
    await pool.deleteFabric(kind);
    await Promise.all(stations.map((s) => s.close()));
  }
});
