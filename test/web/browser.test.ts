/**
 * patchbay's web UI in a real browser (the distribution's chromium): a lab built and used entirely from the page, live
 * updates from the API, basic auth with a remote agent, the UI served from another origin (CORS), and the time a
 * 300-node project takes to appear. Screenshots and the render timing are written to .tap/artifacts/web/.
 */
import t from 'tap';
import { createServer } from 'node:http';
import { join } from 'node:path';
import type { AddressInfo } from 'node:net';
import type { Page } from 'playwright-core';
import { ROOT, portRanges, post, withDaemon } from '../helpers/daemon.ts';
import { openBrowser } from '../helpers/browser.ts';
import { fileResponse, findAsset } from '../../src/api/web/static-files.ts';
import { addVpcs, createProject, eventually } from '../controller/helpers.ts';

t.setTimeout(240_000);

const waitFor = (page: Page, selector: string, timeout = 30_000) => page.waitForSelector(selector, { timeout });

/** The visible text of a node's console (xterm draws its rows as DOM). */
const consoleText = (page: Page, nodeId: string) => page.locator(`.console[data-node-id="${nodeId}"] .xterm-rows`).innerText();

async function typeInConsole(page: Page, nodeId: string, line: string): Promise<void> {
  await page.locator(`.console[data-node-id="${nodeId}"] .xterm-helper-textarea`).focus();
  await page.keyboard.type(line);
  await page.keyboard.press('Enter');
}

/** Waits until the console shows `pattern` (after `from` characters of its text); returns the text. */
async function waitForConsole(page: Page, nodeId: string, pattern: RegExp, timeout = 20_000): Promise<string> {
  const deadline = Date.now() + timeout;
  for (;;) {
    const text = await consoleText(page, nodeId);
    if (pattern.test(text)) return text;
    if (Date.now() > deadline) throw new Error(`console never showed ${pattern}:\n${text}`);
    await page.waitForTimeout(200);
  }
}

const nodeIdByName = (page: Page, name: string) => page.locator(`.map .node[data-name="${name}"]`).getAttribute('data-node-id') as Promise<string>;

t.test('a lab built from the browser: project, two VPCS, link, consoles, ping, live updates', async (t) => {
  const daemon = await withDaemon(t, { mode: 'controller' });
  const browser = await openBrowser({
    // The one refusal the test provokes on purpose: creating a project under a name already taken.
    allowStatus: (url, status) => status === 409 && url.endsWith('/v2/projects'),
  });
  t.teardown(() => browser.close());
  const { page } = browser;

  await page.goto(`${daemon.url}/`);
  await page.getByLabel('Project name').fill('web-lab');
  await page.getByRole('button', { name: 'Create project' }).click();
  await waitFor(page, 'svg.map[data-ready="true"]');
  const projectId = /#\/project\/([0-9a-f-]+)/.exec(page.url())![1];
  t.ok(projectId, `project created from the UI (${projectId})`);

  t.equal(await page.getByLabel('Template').inputValue(), '19021f99-e36f-394d-b4a1-8aaa902ab9cc', 'the built-in VPCS template is preselected');
  await page.getByRole('button', { name: 'Add node' }).click();
  await waitFor(page, '.map .node[data-name="PC1"]');
  await page.getByRole('button', { name: 'Add node' }).click();
  await waitFor(page, '.map .node[data-name="PC2"]');
  const [pc1, pc2] = [await nodeIdByName(page, 'PC1'), await nodeIdByName(page, 'PC2')];

  await page.getByRole('button', { name: 'Add link' }).click();
  await page.locator('.map .node[data-name="PC1"]').click();
  await page.locator('.map .node[data-name="PC2"]').click();
  await page.getByRole('button', { name: 'Create link' }).click();
  // A horizontal line has no height, which playwright counts as invisible: wait for it to exist.
  await page.waitForSelector('.map .link .wire', { state: 'attached', timeout: 30_000 });
  const links = await daemon.json(`/v2/projects/${projectId}/links`, { expect: 200 });
  t.equal(links.length, 1, 'one link, drawn from the UI');
  t.same(links[0].nodes.map((end: { node_id: string }) => end.node_id).sort(), [pc1, pc2].sort(), 'between PC1 and PC2');

  await page.getByRole('button', { name: 'Start all' }).click();
  await waitFor(page, '.map .node.started[data-name="PC1"]');
  await waitFor(page, '.map .node.started[data-name="PC2"]');

  // A node created through the API appears on the open map by itself (project notification stream).
  await daemon.json(`/v2/projects/${projectId}/nodes`, { ...post({ name: 'API-PC', node_type: 'vpcs', compute_id: 'local', x: 200, y: 150 }), expect: 201 });
  await waitFor(page, '.map .node[data-name="API-PC"]', 10_000);
  t.pass('a node created through the API appeared live');

  await page.locator('.map .node[data-name="PC1"]').dblclick();
  await waitFor(page, `.console[data-node-id="${pc1}"] .xterm-rows`);
  await typeInConsole(page, pc1, 'ip 10.0.0.1/24');
  await waitForConsole(page, pc1, /10\.0\.0\.1 255\.255\.255\.0/);
  await page.locator('.map .node[data-name="PC2"]').dblclick();
  await waitFor(page, `.console[data-node-id="${pc2}"] .xterm-rows`);
  await typeInConsole(page, pc2, 'ip 10.0.0.2/24');
  await waitForConsole(page, pc2, /10\.0\.0\.2 255\.255\.255\.0/);
  // A first ping can race VPCS's duplicate-address check on a loaded machine: try up to three times.
  let replies = '';
  const reply = /10\.0\.0\.1 icmp_seq=\d+ ttl=\d+ time=[\d.]+ ms/;
  for (let attempt = 0; attempt < 3 && !reply.test(replies); attempt++) {
    await typeInConsole(page, pc2, 'ping 10.0.0.1 -c 3');
    replies = await waitForConsole(page, pc2, new RegExp(`(icmp_seq=3[^\\n]*\\n[\\s\\S]*){${attempt + 1}}|not reachable`), 30_000).catch((err: Error) => err.message);
  }
  t.match(replies, reply, 'ping replies shown in the browser console');
  await page.evaluate(() => window.scrollTo(0, 0));
  t.comment(`map and consoles: ${await browser.screenshot('lab')}`);

  await page.getByRole('button', { name: 'Stop all' }).click();
  await waitFor(page, '.map .node.stopped[data-name="PC1"]');
  await waitFor(page, '.map .node.stopped[data-name="PC2"]');
  t.equal(await page.locator('.console').count(), 0, 'consoles close when their node stops');

  // An API refusal reaches the user as a message, with GNS3's text.
  await page.getByRole('link', { name: '← Projects' }).click();
  await page.getByLabel('Project name').fill('web-lab');
  await page.getByRole('button', { name: 'Create project' }).click();
  const error = await waitFor(page, '.message.error');
  t.match(await error.innerText(), /409/, `the 409 is shown: ${await error.innerText()}`);

  t.same(browser.problems, [], 'no console error, no failed request');
});

t.test('basic auth (the browser login prompt) and nodes on two computes', async (t) => {
  const own = portRanges(0, 2);
  const other = portRanges(1, 2);
  const controller = await withDaemon(t, {
    mode: 'controller',
    args: ['--user', 'admin', '--password', 's3cret', '--console-ports', own.console, '--udp-ports', own.udp],
  });
  const authorization = `Basic ${Buffer.from('admin:s3cret').toString('base64')}`;
  await withDaemon(t, {
    mode: 'agent',
    args: ['--console-ports', other.console, '--udp-ports', other.udp, '--controller', controller.url.replace('://', '://admin:s3cret@'), '--compute-id', 'agent1', '--name', 'Agent 1'],
  });

  const anonymous = await fetch(`${controller.url}/`);
  t.equal(anonymous.status, 401, 'the UI itself is behind basic auth');
  t.equal(anonymous.headers.get('www-authenticate'), 'Basic realm="GNS3 server"', 'which makes the browser ask for a login');

  const withAuth = (init: RequestInit = {}) => ({ ...init, headers: { ...(init.headers as Record<string, string>), authorization } });
  const as = { ...controller, json: (path: string, init: RequestInit & { expect?: number } = {}) => controller.json(path, withAuth(init)) };
  await eventually(async () => ((await as.json('/v2/computes/agent1')).connected ? true : undefined), 'agent1 connected');
  const projectId = await createProject(as as typeof controller, 'two-computes');
  await addVpcs(as as typeof controller, projectId, 'local', -100);
  await addVpcs(as as typeof controller, projectId, 'agent1', 100);

  // playwright answers the login prompt with these credentials, as a user typing them would.
  const browser = await openBrowser({ httpCredentials: { username: 'admin', password: 's3cret' } });
  t.teardown(() => browser.close());
  const { page } = browser;
  await page.goto(`${controller.url}/#/project/${projectId}`);
  await waitFor(page, 'svg.map[data-ready="true"]');
  const computes = await page.locator('table[aria-label="Nodes"] tbody tr td:nth-child(4)').allInnerTexts();
  t.same(computes.sort(), ['agent1', 'local'], 'one node on each compute');
  await page.locator('table[aria-label="Computes"] tr', { hasText: /Agent 1 \(agent1\)\s*connected/ }).waitFor();
  t.pass('the remote agent is listed, connected');

  // The notification stream works through basic auth: nodes started from the UI turn green on both computes.
  await page.getByRole('button', { name: 'Start all' }).click();
  await eventually(async () => ((await page.locator('.map .node.started').count()) === 2 ? true : undefined), 'both nodes started on the map');
  t.comment(`screenshot: ${await browser.screenshot('auth-two-computes')}`);
  await page.getByRole('button', { name: 'Stop all' }).click();
  await eventually(async () => ((await page.locator('.map .node.stopped').count()) === 2 ? true : undefined), 'both nodes stopped on the map');
  t.same(browser.problems, [], 'no console error, no failed request');
});

t.test('the UI served from another origin calls the API (CORS)', async (t) => {
  // A plain static server on another port: the same built UI, pointed at the daemon with ?server=.
  const dist = join(ROOT, 'dist', 'web');
  const pages = createServer((req, res) => {
    void (async () => {
      const path = new URL(req.url!, 'http://x').pathname;
      const file = await findAsset(dist, path === '/' ? 'index.html' : path.replace(/^\/ui\//, ''));
      const answer = file ? await fileResponse(file) : new Response('not found', { status: 404 });
      res.writeHead(answer.status, { 'content-type': answer.headers.get('content-type') ?? 'text/plain' });
      res.end(Buffer.from(await answer.arrayBuffer()));
    })();
  });
  await new Promise<void>((resolve) => pages.listen(0, '127.0.0.1', resolve));
  t.teardown(() => new Promise((resolve) => pages.close(resolve)));
  const origin = `http://127.0.0.1:${(pages.address() as AddressInfo).port}`;
  const daemon = await withDaemon(t, { mode: 'controller', args: ['--cors-origins', origin] });

  const browser = await openBrowser();
  t.teardown(() => browser.close());
  const { page } = browser;
  await page.goto(`${origin}/?server=${encodeURIComponent(daemon.url)}#/`);
  await page.getByLabel('Project name').fill('cross-origin');
  // A JSON POST from another origin: the browser sends a preflight first, which the daemon must allow.
  await page.getByRole('button', { name: 'Create project' }).click();
  await waitFor(page, 'svg.map[data-ready="true"]');
  const projects = await daemon.json('/v2/projects', { expect: 200 });
  t.same(projects.map((p: { name: string }) => p.name), ['cross-origin'], 'the project was created through the cross-origin page');
  await page.getByRole('button', { name: 'Add node' }).click();
  await waitFor(page, '.map .node[data-name="PC1"]');
  t.pass('and the node it added came back on the notification stream');
  t.same(browser.problems, [], 'no CORS error, no failed request');
});

t.test('editing from the map: drag, arrow keys, filters, capture, snapshot, delete, duplicate', async (t) => {
  const daemon = await withDaemon(t, { mode: 'controller' });
  const projectId = await createProject(daemon, 'editing');
  const pc1 = await addVpcs(daemon, projectId, 'local', -100);
  const pc2 = await addVpcs(daemon, projectId, 'local', 100);
  const link = await daemon.json(`/v2/projects/${projectId}/links`, {
    ...post({ nodes: [pc1, pc2].map((node) => ({ node_id: node.node_id, adapter_number: 0, port_number: 0 })) }),
    expect: 201,
  });
  const browser = await openBrowser();
  t.teardown(() => browser.close());
  const { page } = browser;
  await page.goto(`${daemon.url}/#/project/${projectId}`);
  await waitFor(page, 'svg.map[data-ready="true"]');
  const nodeAt = async (id: string) => daemon.json(`/v2/projects/${projectId}/nodes/${id}`, { expect: 200 });

  const box = (await page.locator(`.map .node[data-node-id="${pc1.node_id}"] image`).boundingBox())!;
  await page.mouse.move(box.x + box.width / 2, box.y + box.height / 2);
  await page.mouse.down();
  await page.mouse.move(box.x + box.width / 2 + 60, box.y + box.height / 2 + 80, { steps: 5 });
  await page.mouse.up();
  const dragged = await eventually(async () => {
    const node = await nodeAt(pc1.node_id);
    return node.y > pc1.y ? node : undefined;
  }, 'the dragged position saved');
  t.ok(dragged.x > pc1.x && dragged.y > pc1.y, `dragged from (${pc1.x}, ${pc1.y}) to (${dragged.x}, ${dragged.y}), saved`);

  await page.locator(`.map .node[data-node-id="${pc2.node_id}"]`).focus();
  await page.keyboard.press('ArrowRight');
  await eventually(async () => ((await nodeAt(pc2.node_id)).x === pc2.x + 10 ? true : undefined), 'moved with the keyboard');
  t.pass('a focused node moves with the arrow keys');

  await page.locator(`.map .link[data-link-id="${link.link_id}"]`).focus();
  await page.keyboard.press('Enter');
  await page.getByRole('group', { name: 'Frequency drop' }).getByRole('spinbutton').first().fill('5');
  await page.getByRole('button', { name: 'Apply filters' }).click();
  await waitFor(page, `.map .link[data-link-id="${link.link_id}"] .filter-marker`);
  t.same((await daemon.json(`/v2/projects/${projectId}/links/${link.link_id}`)).filters, { frequency_drop: [5] }, 'filter saved and marked on the map');

  // GNS3 captures only on a link with a running device.
  await page.getByRole('button', { name: 'Start all' }).click();
  await waitFor(page, `.map .node.started[data-node-id="${pc1.node_id}"]`);
  await page.getByRole('button', { name: 'Start capture' }).click();
  await waitFor(page, `.map .link[data-link-id="${link.link_id}"] .capture-marker`);
  t.ok(await page.getByRole('link', { name: 'Download pcap' }).isVisible(), 'capture marked, pcap offered');
  await page.getByRole('button', { name: 'Stop capture' }).click();
  await page.waitForSelector(`.map .link[data-link-id="${link.link_id}"] .capture-marker`, { state: 'detached' });
  await page.getByRole('button', { name: 'Stop all' }).click();
  await waitFor(page, `.map .node.stopped[data-node-id="${pc1.node_id}"]`);

  await page.getByText('Snapshots').click();
  await page.getByLabel('Snapshot name').fill('before-delete');
  await page.getByRole('button', { name: 'Take snapshot' }).click();
  await waitFor(page, 'text=/before-delete/');
  t.equal((await daemon.json(`/v2/projects/${projectId}/snapshots`)).length, 1, 'snapshot taken');

  await page.locator(`.map .link[data-link-id="${link.link_id}"]`).focus();
  await page.keyboard.press('Delete');
  await page.waitForSelector(`.map .link[data-link-id="${link.link_id}"]`, { state: 'detached' });
  t.same(await daemon.json(`/v2/projects/${projectId}/links`), [], 'link deleted with the Delete key');

  await page.getByRole('link', { name: '← Projects' }).click();
  await page.getByRole('button', { name: 'Duplicate editing' }).click();
  await waitFor(page, 'text=editing-copy');
  t.same((await daemon.json('/v2/projects')).map((p: { name: string }) => p.name).sort(), ['editing', 'editing-copy'], 'project duplicated');
  t.same(browser.problems, [], 'no console error, no failed request');
});
