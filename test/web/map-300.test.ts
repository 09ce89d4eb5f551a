/**
 * A 300-node project (240 VPCS, 30 switches, 30 hubs, 120 links) opened in the browser: the time from navigation to the complete map (every node
 * drawn with its symbol loaded, every link drawn, painted) is measured by the page itself
 * (performance marks `patchbay:topology-received` and `patchbay:map-complete`) and reported, never asserted: see
 * docs/performance.md.
 */
import t from 'tap';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { claimSlot, post, withDaemon } from '../helpers/daemon.ts';
import { ARTIFACTS, openBrowser } from '../helpers/browser.ts';

t.setTimeout(240_000);

/** GNS3 allows 255 VPCS per host (their MAC addresses): the rest are switches and hubs. */
const KINDS = [...Array(240).fill('vpcs'), ...Array(30).fill('ethernet_switch'), ...Array(30).fill('ethernet_hub')] as string[];
const NODES = KINDS.length;
/** Between pairs of VPCS. */
const LINKS = 120;

/** Runs `work` on every item, `width` at a time. */
async function inParallel<T>(items: T[], width: number, work: (item: T) => Promise<unknown>): Promise<void> {
  const queue = [...items];
  await Promise.all(Array.from({ length: width }, async () => {
    for (let item = queue.shift(); item !== undefined; item = queue.shift()) await work(item);
  }));
}

t.test(`a ${NODES}-node project opens in the browser`, async (t) => {
  // The usual per-slot ranges are too small for 300 nodes: these are wider, still one disjoint share per slot, below
  // the other tests' 20000-32600 ranges. VPCS consoles are off (each still holds one internal TCP port; switches one).
  const slot = claimSlot();
  const tcp = 10_000 + slot * 500;
  const udp = 5_000 + slot * 250;
  const daemon = await withDaemon(t, { mode: 'controller', args: ['--console-ports', `${tcp}-${tcp + 499}`, '--udp-ports', `${udp}-${udp + 249}`] });

  const projectId = (await daemon.json('/v2/projects', { ...post({ name: 'map-300' }), expect: 201 })).project_id;
  const ids: string[] = new Array(NODES);
  const started = performance.now();
  await inParallel([...Array(NODES).keys()], 6, async (i) => {
    const node = await daemon.json(`/v2/projects/${projectId}/nodes`, {
      ...post({
        name: `${KINDS[i]}-${i + 1}`,
        node_type: KINDS[i],
        compute_id: 'local',
        ...(KINDS[i] === 'vpcs' ? { console_type: 'none' } : {}),
        x: (i % 20) * 90 - 900,
        y: Math.floor(i / 20) * 100 - 750,
      }),
      expect: 201,
    });
    ids[i] = node.node_id;
  });
  await inParallel([...Array(LINKS).keys()], 6, (i) => daemon.json(`/v2/projects/${projectId}/links`, {
    ...post({ nodes: [ids[2 * i], ids[2 * i + 1]].map((node_id) => ({ node_id, adapter_number: 0, port_number: 0 })) }),
    expect: 201,
  }));
  t.comment(`built ${NODES} nodes and ${LINKS} links through the API in ${((performance.now() - started) / 1000).toFixed(1)} s`);

  const browser = await openBrowser();
  t.teardown(() => browser.close());
  const { page } = browser;
  const complete = async () => {
    await page.waitForSelector('svg.map[data-ready="true"]', { timeout: 60_000 });
    return page.evaluate(() => {
      const last = (name: string) => (performance.getEntriesByName(name).at(-1) as PerformanceMark).startTime;
      const at = last('patchbay:map-complete');
      return {
        at,
        draw: at - last('patchbay:topology-received'),
        nodes: document.querySelectorAll('.map .node').length,
        links: document.querySelectorAll('.map .link line.wire').length,
      };
    });
  };

  // Cold: a fresh page load straight onto the project (bundle download and parse included).
  await page.goto(`${daemon.url}/#/project/${projectId}`);
  const cold = await complete();
  t.equal(cold.nodes, NODES, 'every node drawn');
  t.equal(cold.links, LINKS, 'every link drawn');

  // Warm: back to the project list and open it again inside the page, as a user would.
  await page.getByRole('link', { name: '← Projects' }).click();
  await page.waitForSelector(`tr[data-project-id="${projectId}"]`);
  const before = await page.evaluate(() => performance.now());
  await page.getByRole('link', { name: 'Open map-300' }).click();
  await page.waitForFunction((t0) => (performance.getEntriesByName('patchbay:map-complete').at(-1)?.startTime ?? 0) > t0, before, { timeout: 60_000 });
  const warm = await complete();
  t.equal(warm.nodes, NODES, 'every node drawn again');

  const result = {
    nodes: NODES,
    links: LINKS,
    cold_load_to_complete_map_ms: Math.round(cold.at),
    open_from_project_list_ms: Math.round(warm.at - before),
    // From the topology (and symbols) received to the painted map: the drawing alone, without server or network.
    draw_and_paint_ms: { cold: Math.round(cold.draw), open: Math.round(warm.draw) },
  };
  writeFileSync(join(ARTIFACTS, 'map-300.json'), `${JSON.stringify(result)}\n`);
  t.comment(`screenshot: ${await browser.screenshot('map-300')}`);
  t.comment(JSON.stringify(result));
  t.same(browser.problems, [], 'no console error, no failed request');
});
