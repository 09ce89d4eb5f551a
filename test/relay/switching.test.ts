/** Pure switching logic: MAC table ageing, VLAN tags, hub flooding, switch port types. */
import t from 'tap';
import { HubLogic } from '../../src/relay/switching/hub.ts';
import { macAt, MacTable } from '../../src/relay/switching/mac-table.ts';
import { SwitchLogic } from '../../src/relay/switching/switch.ts';
import { outerTag, parseEthertype, popTag, pushTag } from '../../src/relay/switching/vlan.ts';
import type { FabricPortConfig } from '../../src/relay/types.ts';
import { udpFrame } from './frames.ts';

const A = '02:00:00:00:00:0a';
const B = '02:00:00:00:00:0b';
const BROADCAST = 'ff:ff:ff:ff:ff:ff';
const frame = (src: string, dst: string, tags?: Array<[number, number]>) =>
  udpFrame('10.0.0.1', '10.0.0.2', 1, 2, { src, dst, ...(tags ? { tags } : {}) });

/** Runs one frame through a forwarder and lists [port, outer tag] of each delivery. */
function forward(logic: SwitchLogic | HubLogic, port: number, f: Uint8Array, now = 0) {
  const out: Array<[number, string]> = [];
  const reason = logic.receive(port, f, now, (p, sent) => {
    const tag = outerTag(sent);
    out.push([p, tag ? `${tag.tpid.toString(16)}/${tag.vid}` : 'untagged']);
  });
  return { reason, out };
}

function switchWith(ports: Record<number, FabricPortConfig>, macs?: MacTable) {
  const logic = new SwitchLogic(macs);
  for (const [port, config] of Object.entries(ports)) logic.setPort(Number(port), config);
  return logic;
}

t.test('MAC table learns, moves, ages and forgets', async (t) => {
  const table = new MacTable(1000, 2);
  table.learn(1, 0xa, 3, 0);
  t.equal(table.lookup(1, 0xa, 500), 3);
  t.equal(table.lookup(2, 0xa, 500), -1, 'per VLAN');
  table.learn(1, 0xa, 4, 600);
  t.equal(table.lookup(1, 0xa, 1500), 4, 'moved and refreshed');
  t.equal(table.lookup(1, 0xa, 1601), -1, 'aged out');
  t.equal(table.size, 0);
  table.learn(1, 1, 1, 0);
  table.learn(1, 2, 2, 0);
  table.learn(1, 3, 3, 10);
  t.equal(table.size, 2, 'capacity bound');
  table.learn(1, 3, 3, 2000);
  t.equal(table.lookup(1, 3, 2000), 3, 'room made by expiring old entries');
  table.forgetPort(3);
  t.equal(table.size, 0);
  t.equal(macAt(Uint8Array.from([0xff, 0xff, 0xff, 0xff, 0xff, 0xff]), 0), 2 ** 48 - 1);
});

t.test('VLAN tags push and pop', async (t) => {
  const plain = frame(A, B);
  const tagged = pushTag(plain, 0x88a8, 100);
  t.equal(tagged.length, plain.length + 4);
  t.same(outerTag(tagged), { tpid: 0x88a8, vid: 100 });
  t.same(popTag(tagged), plain);
  t.equal(outerTag(plain), null);
  t.equal(parseEthertype(''), 0x8100);
  t.equal(parseEthertype('0x88A8'), 0x88a8);
  t.throws(() => parseEthertype('0x1234'), /"0x1234"/);
});

t.test('hub floods every other port', async (t) => {
  const hub = new HubLogic();
  [0, 1, 2].forEach((p) => hub.setPort(p, { type: 'access', vlan: 1 }));
  t.same(forward(hub, 1, frame(A, B)).out, [[0, 'untagged'], [2, 'untagged']]);
  hub.setPort(2, null);
  t.same(forward(hub, 1, frame(A, B)).out, [[0, 'untagged']]);
});

t.test('access ports: learning, flooding within the VLAN, isolation', async (t) => {
  const sw = switchWith({
    0: { type: 'access', vlan: 10 },
    1: { type: 'access', vlan: 10 },
    2: { type: 'access', vlan: 20 },
    3: { type: 'access', vlan: 10 },
  });
  t.same(forward(sw, 0, frame(A, B)).out, [[1, 'untagged'], [3, 'untagged']], 'unknown unicast floods VLAN 10');
  t.same(forward(sw, 1, frame(B, A)).out, [[0, 'untagged']], 'learnt A on port 0');
  t.same(forward(sw, 0, frame(A, B)).out, [[1, 'untagged']], 'learnt B on port 1');
  t.same(forward(sw, 2, frame(B, BROADCAST)).out, [], 'VLAN 20 has no other member');
  t.same(forward(sw, 0, frame(A, BROADCAST)).out, [[1, 'untagged'], [3, 'untagged']]);
  t.equal(forward(sw, 0, frame(A, B, [[0x8100, 10]])).reason, 'tagged_on_access');
  t.same(forward(sw, 1, frame(B, A, [[0x8100, 0]])).out, [[0, 'untagged']], 'priority tag accepted');
  t.equal(forward(sw, 1, frame(A, A)).reason, 'same_port', 'A moved to port 1: frame to itself filtered');
  t.equal(forward(sw, 7, frame(A, B)).reason, 'no_port');
});

t.test('dot1q trunk: native untagged, others tagged', async (t) => {
  const sw = switchWith({
    0: { type: 'access', vlan: 1 },
    1: { type: 'access', vlan: 30 },
    2: { type: 'dot1q', vlan: 1 },
  });
  t.same(forward(sw, 0, frame(A, BROADCAST)).out, [[2, 'untagged']], 'native VLAN leaves untagged');
  t.same(forward(sw, 1, frame(A, BROADCAST)).out, [[2, '8100/30']], 'VLAN 30 leaves tagged');
  t.same(forward(sw, 2, frame(B, BROADCAST, [[0x8100, 30]])).out, [[1, 'untagged']], 'tag stripped to access');
  t.same(forward(sw, 2, frame(B, BROADCAST)).out, [[0, 'untagged']], 'untagged on trunk = native');
  t.same(forward(sw, 2, frame(B, BROADCAST, [[0x8100, 99]])).out, [], 'no member of VLAN 99');
});

t.test('qinq tunnel port adds the outer tag with its ethertype', async (t) => {
  const sw = switchWith({
    0: { type: 'qinq', vlan: 100, ethertype: '0x88A8' },
    1: { type: 'dot1q', vlan: 1 },
    2: { type: 'qinq', vlan: 100 },
  });
  const customer = frame(A, BROADCAST, [[0x8100, 5]]);
  const { out } = forward(sw, 0, customer);
  t.same(out, [[1, '88a8/100'], [2, '8100/5']], 'outer 0x88A8 tag on the trunk, customer frame as-is on qinq');
  let onTrunk: Uint8Array | undefined;
  sw.receive(0, customer, 0, (p, f) => p === 1 && (onTrunk = f));
  t.same(outerTag(popTag(onTrunk!)), { tpid: 0x8100, vid: 5 }, 'customer tag kept inside');
  const back = forward(sw, 1, pushTag(frame(B, A, [[0x8100, 5]]), 0x88a8, 100));
  t.same(back.out, [[0, '8100/5']], 'outer tag removed, A was learnt on port 0');
});

t.test('invalid port configs are rejected', async (t) => {
  const sw = new SwitchLogic();
  t.throws(() => sw.setPort(0, { type: 'trunk' as 'dot1q', vlan: 1 }), /"trunk"/);
  t.throws(() => sw.setPort(0, { type: 'access', vlan: 0 }), /VLAN "0"/);
  t.throws(() => sw.setPort(0, { type: 'qinq', vlan: 5, ethertype: '0x0800' }), /"0x0800"/);
});
