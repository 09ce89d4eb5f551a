/** Pure QEMU helpers: option splitting and checks, MAC addresses, and the command line builder. */
import t from 'tap';
import { buildCommandLine, defaultMac, macPlus, versionAtLeast, type CommandSpec } from '../../src/compute/qemu/command-line.ts';
import { forbiddenOption, forcesTcg, normaliseOptions, splitOptions, substitutePlaceholders } from '../../src/compute/qemu/options.ts';
import { parseQemuVersion, platformOf } from '../../src/compute/qemu/binary.ts';

t.test('splitOptions splits like a shell without running one', async (t) => {
  t.same(splitOptions(''), []);
  t.same(splitOptions('  -S   -device e1000 '), ['-S', '-device', 'e1000']);
  t.same(splitOptions(`-name "my vm" -append 'console=ttyS0 quiet'`), ['-name', 'my vm', '-append', 'console=ttyS0 quiet']);
  t.same(splitOptions(String.raw`a\ b "c\"d" 'e\f' ""`), ['a b', 'c"d', String.raw`e\f`, '']);
  t.same(splitOptions('$(rm -rf /) `x` ; |'), ['$(rm', '-rf', '/)', '`x`', ';', '|'], 'no expansion, no operators');
  t.throws(() => splitOptions('-name "unterminated'), /Unterminated/);
});

t.test('forbidden options and normalisation', async (t) => {
  t.equal(forbiddenOption(['-S', '-netdev', 'user,id=x']), '-netdev');
  t.equal(forbiddenOption(['--drive', 'file=x']), '--drive');
  t.equal(forbiddenOption(['-hda=x']), '-hda=x');
  t.equal(forbiddenOption(['-device', 'e1000', '-nographic']), null);
  t.equal(normaliseOptions('-no-kvm -S'), '-machine accel=tcg -S');
  t.equal(normaliseOptions('-S -no-hax'), '-S -machine accel=tcg');
  t.equal(normaliseOptions('-enable-kvm'), '-machine accel=kvm');
  t.equal(normaliseOptions('-enable-hax -S'), '-S');
  t.equal(normaliseOptions('-no-kvmx'), '-no-kvmx', 'whole words only');
  t.ok(forcesTcg(['-machine', 'accel=tcg']));
  t.ok(forcesTcg(['-M', 'pc,accel=tcg']));
  t.ok(forcesTcg(['-accel', 'tcg,thread=single']));
  t.notOk(forcesTcg(['-machine', 'accel=kvm']));
  t.equal(
    substitutePlaceholders('-name %vm-name% %vm-id% %project-id% %project-path% %guest-cid% %console-port%', {
      vmName: 'R1', vmId: 'n', projectId: 'p', projectPath: '/pp', consolePort: 5000, guestCid: 3,
    }),
    '-name R1 n p /pp 3 5000',
  );
});

t.test('MAC addresses and versions', async (t) => {
  t.equal(defaultMac('eeeeeeee-1234-4abc-8def-000000000000'), '0c:ee:ee:ee:00:00', 'GNS3 live example');
  t.equal(defaultMac('12345678-0000-4000-8000-000000000000'), '0c:34:56:78:00:00');
  t.equal(macPlus('0c:34:56:78:00:00', 1), '0c:34:56:78:00:01');
  t.equal(macPlus('0c:34:56:78:00:ff', 1), '0c:34:56:78:01:00', 'carries into the next byte');
  t.ok(versionAtLeast('7.2.22', '2.4'));
  t.notOk(versionAtLeast('2.3.9', '2.4'));
  t.ok(versionAtLeast('2.12', '2.12.0'));
  t.equal(parseQemuVersion('QEMU emulator version 7.2.22 (Debian 1:7.2+dfsg-7)'), '7.2.22');
  t.equal(platformOf('/usr/bin/qemu-system-x86_64'), 'x86_64');
  t.equal(platformOf('/usr/bin/qemu-kvm'), 'x86_64');
  t.equal(platformOf('/opt/qemu'), 'i386');
  t.equal(platformOf('/usr/bin/qemu-img'), null);
});

const spec = (over: Partial<CommandSpec> = {}): CommandSpec => ({
  qemuPath: '/usr/bin/qemu-system-x86_64',
  version: '7.2.22',
  platform: 'x86_64',
  name: 'R1, core',
  nodeId: 'eeeeeeee-1234-4abc-8def-000000000000',
  ram: 256,
  cpus: 1,
  maxcpus: null,
  kvm: false,
  bootPriority: 'c',
  bios: null,
  uefi: null,
  cdrom: null,
  disks: [],
  initrd: null,
  kernel: null,
  kernelCommandLine: '',
  console: { type: 'telnet', internalPort: 5001 },
  monitorPort: 5002,
  nics: [{ mac: '0c:ee:ee:ee:00:00', model: 'e1000', tunnel: { emulatorPort: 10001, relayPort: 10002 } }],
  loadvm: false,
  tpmSocket: null,
  userOptions: [],
  ...over,
});

t.test('command line in GNS3 order', async (t) => {
  const args = buildCommandLine(spec());
  t.same(args, [
    '/usr/bin/qemu-system-x86_64', '-name', 'R1,, core', '-m', '256M', '-smp', 'cpus=1,sockets=1', '-boot', 'order=c',
    '-uuid', 'eeeeeeee-1234-4abc-8def-000000000000',
    '-serial', 'telnet:127.0.0.1:5001,server,nowait',
    '-monitor', 'tcp:127.0.0.1:5002,server,nowait',
    '-net', 'none',
    '-device', 'e1000,mac=0c:ee:ee:ee:00:00,netdev=gns3-0',
    '-netdev', 'socket,id=gns3-0,udp=127.0.0.1:10002,localaddr=127.0.0.1:10001',
    '-display', 'none',
  ]);
});

t.test('command line options', async (t) => {
  const kvm = buildCommandLine(spec({ kvm: true }));
  t.match(kvm.join(' '), /-enable-kvm -machine smm=off/);
  const disks = buildCommandLine(spec({
    disks: [
      { index: 0, file: '/p/hda_disk.qcow2', interface: 'virtio', format: 'qcow2' },
      { index: 1, file: '/p/hdb,x.qcow2', interface: 'sata', format: 'qcow2' },
      { index: 3, file: '/p/hdd.img', interface: 'nvme', format: 'raw' },
    ],
  })).join(' ');
  t.match(disks, '-drive file=/p/hda_disk.qcow2,format=qcow2,if=virtio,index=0,media=disk,id=drive0');
  t.match(disks, '-device ahci,id=ahci1 -drive file=/p/hdb,,x.qcow2,format=qcow2,if=none,index=1,media=disk,id=drive1 -device ide-hd,drive=drive1,bus=ahci1.0,id=drive1');
  t.match(disks, '-device nvme,drive=drive3,serial=3');
  const vnc = buildCommandLine(spec({ console: { type: 'vnc', host: '127.0.0.1', port: 5905 } })).join(' ');
  t.match(vnc, '-vnc 127.0.0.1:5');
  t.match(vnc, /-machine usb=on -device usb-tablet$/);
  t.notMatch(vnc, '-display none');
  const own = buildCommandLine(spec({ userOptions: ['-uuid', 'x', '-nographic'] })).join(' ');
  t.notMatch(own, '-uuid eeeeeeee', 'user -uuid wins');
  t.notMatch(own, '-display none', 'user display option wins');
  const virtio = buildCommandLine(spec({ nics: [{ mac: 'm', model: 'virtio-net-pci', tunnel: { emulatorPort: 1, relayPort: 2 } }] }));
  t.ok(virtio.includes('virtio-net-pci,mac=m,netdev=gns3-0,speed=10000,duplex=full'));
  const linux = buildCommandLine(spec({ kernel: '/k', initrd: '/i', kernelCommandLine: 'console=ttyS0' })).join(' ');
  t.match(linux, '-initrd /i -kernel /k -append console=ttyS0');
});

t.test('many adapters go behind PCI bridges', async (t) => {
  const nics = Array.from({ length: 40 }, (_, n) => ({ mac: `m${n}`, model: 'e1000', tunnel: { emulatorPort: 2 * n + 1, relayPort: 2 * n + 2 } }));
  const args = buildCommandLine(spec({ nics }));
  t.equal(args.filter((a) => a.startsWith('pci-bridge,')).length, 1, 'one bridge for 40 NICs');
  const devices = args.filter((a) => a.startsWith('e1000,'));
  t.equal(devices.length, 40);
  t.notMatch(devices[26]!, 'bus=', 'NICs fill the root bus first');
  t.match(devices[27]!, 'bus=pci-bridge1,addr=0x1');
  t.match(devices[39]!, 'bus=pci-bridge1,addr=0xd');
});
