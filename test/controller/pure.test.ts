import t from 'tap';
import { NodeNames, formatName } from '../../src/controller/node-names.ts';
import { normalizeFilters, activeFilters, AVAILABLE_FILTERS } from '../../src/controller/filters.ts';
import { nodePorts } from '../../src/controller/ports.ts';
import { BUILTIN_TEMPLATES, createTemplate } from '../../src/controller/templates.ts';
import { buildTopology, parseTopology, serializeTopology, DEFAULT_PROJECT_SETTINGS, settingsOf } from '../../src/controller/topology.ts';
import { Symbols, defaultSymbols, svgDimensions } from '../../src/controller/symbols.ts';
import { PatchbayError } from '../../src/errors/index.ts';

t.test('node names follow GNS3 allocation', async (t) => {
  const names = new NodeNames();
  t.equal(names.allocate('PC{0}'), 'PC1');
  t.equal(names.allocate('PC{0}'), 'PC2');
  t.equal(names.allocate('PC1'), 'PC3', 'a taken PC1 becomes the first free PC<n>');
  t.equal(names.allocate('My PC'), 'MyPC');
  t.equal(names.allocate('MyPC'), 'MyPC1');
  t.equal(names.allocate('R'), 'R');
  t.equal(names.allocate('R'), 'R1');
  t.equal(names.allocate('X{0}'), 'X1');
  t.equal(names.allocate('Router-{0}'), 'Router-1');
  t.equal(names.allocate('{name}-{id}'), 'Node-1');
  names.free('PC1');
  t.equal(names.allocate('PC2'), 'PC1', 'renaming onto a taken name takes the first free one');
  t.throws(() => names.allocate('A{foo}{0}'), PatchbayError);
  t.throws(() => names.allocate('A{foo}{0}'), { code: 'NODE_NAME_BAD_REPLACEMENT' });
  t.equal(formatName('{{x}}{0}', 3), '{x}3');
});

t.test('filters normalise like GNS3', async (t) => {
  t.same(normalizeFilters({ delay: ['100', 10], packet_loss: [0], bpf: ['icmp\n'] }), { delay: ['100', 10], bpf: ['icmp'] });
  t.same(normalizeFilters({ corrupt: [], frequency_drop: [-1] }), { frequency_drop: [-1] });
  t.same(activeFilters({ delay: [5] }, true), { frequency_drop: [-1] });
  t.same(AVAILABLE_FILTERS.map((f) => f.type), ['frequency_drop', 'packet_loss', 'delay', 'corrupt', 'bpf']);
});

t.test('ports per node type', async (t) => {
  const base = { name: 'n', properties: {}, port_name_format: 'Ethernet{0}', port_segment_size: 0, first_port_name: null, custom_adapters: [] };
  t.same(nodePorts({ ...base, node_type: 'vpcs' }), [
    { name: 'Ethernet0', short_name: 'e0', adapter_number: 0, port_number: 0, link_type: 'ethernet', data_link_types: { Ethernet: 'DLT_EN10MB' } },
  ]);
  const qemu = nodePorts({ ...base, node_type: 'qemu', properties: { adapters: 3, adapter_type: 'e1000', mac_address: '0c:00:00:00:00:ff' } });
  t.same(qemu.map((p) => [p.name, p.short_name, p.adapter_number, p.mac_address]), [
    ['Ethernet0', 'e0', 0, '0c:00:00:00:00:ff'],
    ['Ethernet1', 'e1', 1, '0c:00:00:00:01:00'],
    ['Ethernet2', 'e2', 2, '0c:00:00:00:01:01'],
  ]);
  const seg = nodePorts({ ...base, node_type: 'qemu', port_name_format: 'Gi{1}/{0}', port_segment_size: 2, properties: { adapters: 3 } });
  t.same(seg.map((p) => p.name), ['Gi0/0', 'Gi0/1', 'Gi1/0']);
  const first = nodePorts({ ...base, node_type: 'qemu', first_port_name: 'mgmt0', properties: { adapters: 2 } });
  t.same(first.map((p) => p.name), ['mgmt0', 'Ethernet1']);
  const hub = nodePorts({ ...base, node_type: 'ethernet_hub', properties: { ports_mapping: [{ name: 'Ethernet0', port_number: 0 }, { name: 'Ethernet1', port_number: 1 }] } });
  t.same(hub.map((p) => [p.name, p.short_name, p.port_number]), [['Ethernet0', 'e0', 0], ['Ethernet1', 'e1', 1]]);
  const cloud = nodePorts({ ...base, node_type: 'cloud', properties: { ports_mapping: [{ name: 'eth0' }] } });
  t.same(cloud.map((p) => [p.name, p.short_name]), [['eth0', 'eth0']]);
  t.throws(() => nodePorts({ ...base, node_type: 'qemu', port_name_format: 'e{bad}' }), { code: 'PORT_NAME_FORMAT_INVALID' });
});

t.test('templates', async (t) => {
  t.equal(BUILTIN_TEMPLATES.length, 7);
  t.equal(BUILTIN_TEMPLATES[2].template_id, '19021f99-e36f-394d-b4a1-8aaa902ab9cc');
  const vpcs = createTemplate({ name: 'MyVPCS', template_type: 'vpcs', compute_id: 'local' }, '11111111-1111-4111-8111-111111111111');
  t.same(vpcs, {
    base_script_file: 'vpcs_base_config.txt', builtin: false, category: 'guest', compute_id: 'local', console_auto_start: false,
    console_type: 'telnet', default_name_format: 'PC{0}', name: 'MyVPCS', symbol: ':/symbols/vpcs_guest.svg',
    template_id: '11111111-1111-4111-8111-111111111111', template_type: 'vpcs',
  });
  t.throws(() => createTemplate({ name: 'x', template_type: 'vpcs', compute_id: 'local', foo: 1 }, 'id'), /'foo' was unexpected/);
  t.throws(() => createTemplate({ name: 'x', template_type: 'vpcs' }, 'id'), { code: 'TEMPLATE_INVALID', status: 400 });
  t.throws(() => createTemplate({ name: 'x', template_type: 'docker', compute_id: null }, 'id'), /'image' is a required property/);
  t.equal(createTemplate({ name: 'q', template_type: 'qemu', compute_id: null, category: 1 }, 'id').category, 'switch');
});

t.test('topology round trip', async (t) => {
  const nodeId = '22222222-2222-4222-8222-222222222222';
  const file = buildTopology({
    project_id: '11111111-1111-4111-8111-111111111111', name: 'p1', settings: { ...DEFAULT_PROJECT_SETTINGS }, computes: [],
    nodes: [{ compute_id: 'local', node_id: nodeId, node_type: 'vpcs', name: 'PC1', properties: {}, x: 0, y: 0, z: 1 }],
    links: [], drawings: [],
  });
  const text = serializeTopology(file);
  t.match(text, /^\{\n {4}"auto_close": true,\n/);
  t.match(text, /"supplier": null/);
  t.match(text, /"revision": 9/);
  const back = parseTopology(text);
  t.same(back, file);
  t.same(settingsOf(back), DEFAULT_PROJECT_SETTINGS);
  const legacy = JSON.parse(text);
  legacy.topology.nodes[0].appliance_id = '19021f99-e36f-394d-b4a1-8aaa902ab9cc';
  legacy.topology.nodes[0].console_type = null;
  const fixed = parseTopology(JSON.stringify(legacy)).topology.nodes[0];
  t.equal(fixed.template_id, '19021f99-e36f-394d-b4a1-8aaa902ab9cc');
  t.equal(fixed.console_type, 'none');
  t.throws(() => parseTopology(JSON.stringify({ ...legacy, revision: 10 })), /more recent version/);
  t.throws(() => parseTopology(JSON.stringify({ ...legacy, extra: 1 })), /Invalid data in topology file/);
  t.throws(() => parseTopology('{'), /Invalid data in topology file/);
});

t.test('symbols', async (t) => {
  const symbols = new Symbols(t.testdir({ 'mine.svg': '<svg width="10" height="20"></svg>' }));
  const list = await symbols.list();
  t.equal(list[0].theme, 'Classic');
  t.same(list.at(-1), { symbol_id: 'mine.svg', filename: 'mine.svg', theme: 'Custom symbols', builtin: false });
  t.same(await symbols.dimensions(':/symbols/computer.svg'), { width: 65, height: 59 });
  t.same(await symbols.dimensions(':/symbols/classic/router.svg'), { width: 66, height: 45 });
  t.same(await symbols.dimensions('mine.svg'), { width: 10, height: 20 });
  t.match(String((await symbols.raw(':/symbols/nope.svg')).data), /computer/);
  t.equal(defaultSymbols().Classic.ethernet_hub, ':/symbols/classic/hub.svg');
  t.same(svgDimensions('<svg viewBox="0 0 30 40">'), { width: 30, height: 40 });
});
