/**
 * Dynamips routers of all seven platforms boot a test image (see images.ts) and show its banner on their telnet
 * console, served by patchbay's console multiplexer; the c7200 image also echoes what is typed. The routers share
 * one daemon and run with 32 MB of RAM and the image's idle loop as idle-PC, so the whole set stays light.
 */
import t from 'tap';
import { PLATFORMS } from '../../src/compute/dynamips/platforms.ts';
import { post } from '../helpers/daemon.ts';
import { TelnetClient } from '../helpers/telnet.ts';
import { dynamipsFixture, dynamipsIn } from './helpers.ts';
import { BANNER, imageFor, testImages } from './images.ts';

t.test('seven platforms boot to a banner', async (t) => {
  const { daemon, base } = await dynamipsFixture(t);
  const images = testImages();
  const routers = await Promise.all(PLATFORMS.map(async (platform, i) => {
    const image = images[imageFor(platform)];
    return daemon.json(base, {
      ...post({ name: `R${i + 1}`, platform, image: image.name, ram: 32, idlepc: image.idlePc }),
      expect: 201,
    });
  }));
  for (const router of routers) {
    t.equal(router.status, 'stopped', `${router.platform} created stopped`);
    t.equal(router.image, images[imageFor(router.platform)].name, 'image reported relative to the IOS folder');
    t.match(router.image_md5sum, /^[0-9a-f]{32}$/);
  }
  await Promise.all(routers.map(async (router) => {
    await daemon.json(`${base}/${router.node_id}/start`, { ...post(), expect: 204 });
    const console = await TelnetClient.connect(router.console);
    try {
      await console.waitFor(new RegExp(`${BANNER}\\r\\nRouter>`), 20_000);
      t.pass(`${router.platform}: banner on the console`);
      if (router.platform === 'c7200') {
        await console.run('echo me', /echo me/);
        t.pass('c7200: typed text is echoed back by the image');
      }
    } finally {
      console.close();
    }
  }));
  const running = await Promise.all(routers.map((r) => daemon.json(`${base}/${r.node_id}`, { expect: 200 })));
  t.same(running.map((r) => r.status), PLATFORMS.map(() => 'started'));
  t.equal(routers.reduce((n, r) => n + dynamipsIn(r.node_directory).length, 0), 7, 'one hypervisor process per router');
  await Promise.all(routers.map((r) => daemon.json(`${base}/${r.node_id}/stop`, { ...post(), expect: 204 })));
  t.same(routers.flatMap((r) => dynamipsIn(r.node_directory)), [], 'no hypervisor left after stop');
});
