/** Node routes shared by every node type: `/projects/{project_id}/{node_type}/nodes/...`. */
import { Hono, type Context } from 'hono';
import { lookup } from 'node:dns/promises';
import type { Compute } from '../../compute/compute.ts';
import type { PortRef } from '../../compute/node.ts';
import type { DynamipsRouter } from '../../compute/dynamips/router-node.ts';
import { CaptureStart, Duplicate, Nio } from '../../compute/schemas.ts';
import { body } from '../validate.ts';
import { fail } from '../../errors/index.ts';
import { nodeLockKey } from '../../concurrency/keyed-lock.ts';

const NODE = '/projects/:project_id/:node_type/nodes/:node_id';
const EMULATOR_TYPES = new Set(['vpcs', 'qemu']);
const PORT = `${NODE}/adapters/:adapter_number{[0-9]+}/ports/:port_number{[0-9]+}`;

const portRef = (c: Context): PortRef => ({
  adapter: Number(c.req.param('adapter_number')),
  port: Number(c.req.param('port_number')),
});

/** Checks that a NIO's remote host resolves before the relay tries to send to it. */
async function checkNio(nio: Nio): Promise<void> {
  if (nio.type !== 'nio_udp') return;
  try {
    await lookup(nio.rhost);
  } catch {
    throw fail('NIO_RHOST_UNRESOLVED', nio.rhost);
  }
}

export function nodeRoutes(compute: Compute): Hono {
  const app = new Hono();
  const nodeOf = (c: Context) =>
    compute.node(c.req.param('project_id')!, c.req.param('node_type')!, c.req.param('node_id')!);

  // Requests on one node run one at a time in arrival order; streams would hold the lock forever.
  // (Hono's `/*` also matches the node path itself, so this one middleware covers every node route.)
  // A request must never queue behind itself: Hono can match this middleware twice for one request (e.g. when a
  // path segment is literally ":node_id"), which would deadlock the FIFO lock.
  const holding = new WeakSet<Request>();
  app.use(`${NODE}/*`, async function nodeLock(c, next) {
    const path = c.req.path;
    if (path.endsWith('/pcap') || path.endsWith('/console/ws') || holding.has(c.req.raw)) return next();
    holding.add(c.req.raw);
    return compute.locks.run(nodeLockKey(c.req.param('project_id')!, c.req.param('node_id')!), next);
  });

  app.post('/projects/:project_id/:node_type/nodes', async (c) => {
    const project = compute.project(c.req.param('project_id'));
    const driver = compute.driver(c.req.param('node_type'));
    const fields = await body(c, driver.createSchema);
    const node = await compute.createNode(project, driver.type, fields as Record<string, unknown>);
    return c.json(node.toJSON(), 201);
  });

  app.get(NODE, (c) => {
    const node = nodeOf(c);
    // GNS3 2.2 has no GET route for a single Docker node (spec §1.1): its router answers 405 in plain text.
    if (node.type === 'docker') return c.text('405: Method Not Allowed', 405);
    return c.json(node.toJSON());
  });

  app.put(NODE, async (c) => {
    const node = nodeOf(c);
    const fields = await body(c, compute.driver(node.type).updateSchema);
    await node.update(fields as Record<string, unknown>);
    return c.json(node.toJSON());
  });

  app.delete(NODE, async (c) => {
    await compute.deleteNode(nodeOf(c));
    return c.body(null, 204);
  });

  app.post(`${NODE}/duplicate`, async (c) => {
    const node = nodeOf(c);
    const { destination_node_id } = await body(c, Duplicate);
    const destination = compute.node(node.project.id, node.type, destination_node_id);
    await node.duplicateInto(destination);
    return c.json(destination.toJSON(), 201);
  });

  app.post(`${NODE}/start`, async (c) => {
    const node = nodeOf(c);
    await node.start();
    // GNS3 answers 200 with the node only for emulators; hub, switch and cloud starts are 204 (spec §1.2, §3.3-3.5).
    return EMULATOR_TYPES.has(node.type) ? c.json(node.toJSON()) : c.body(null, 204);
  });

  const action = (name: 'stop' | 'suspend' | 'resume' | 'reload', path = name) =>
    app.post(`${NODE}/${path}`, async (c) => {
      await nodeOf(c)[name]();
      return c.body(null, 204);
    });
  action('stop');
  action('suspend');
  action('resume');
  action('reload');

  // Docker only: GNS3's pause/unpause routes, the same as suspend/resume of the container.
  const dockerAction = (path: 'pause' | 'unpause', name: 'suspend' | 'resume') =>
    app.post(`${NODE}/${path}`, async (c) => {
      const node = nodeOf(c);
      if (node.type !== 'docker') return c.text('404: Not Found', 404);
      await node[name]();
      return c.body(null, 204);
    });
  dockerAction('pause', 'suspend');
  dockerAction('unpause', 'resume');

  app.post(`${NODE}/console/reset`, async (c) => {
    await nodeOf(c).consoleReset();
    return c.body(null, 204);
  });

  // Dynamips only: idle-PC proposals (lines as Dynamips gives them) and auto idle-PC. Both may start the router.
  const routerOf = (c: Context) =>
    compute.node(c.req.param('project_id')!, 'dynamips', c.req.param('node_id')!) as DynamipsRouter;
  app.get('/projects/:project_id/dynamips/nodes/:node_id/idlepc_proposals', async (c) => c.json(await routerOf(c).idlePcProposals()));
  app.get('/projects/:project_id/dynamips/nodes/:node_id/auto_idlepc', async (c) => c.json({ idlepc: await routerOf(c).autoIdlePc() }));

  app.post(`${PORT}/nio`, async (c) => {
    const node = nodeOf(c);
    const nio = await body(c, Nio);
    await checkNio(nio);
    const stored = await node.addNio(portRef(c), nio);
    if (stored.type === 'nio_udp') {
      return c.json({ type: stored.type, lport: stored.lport, rhost: stored.rhost, rport: stored.rport }, 201);
    }
    return c.json(stored, 201);
  });

  app.put(`${PORT}/nio`, async (c) => {
    const node = nodeOf(c);
    const nio = await body(c, Nio);
    await checkNio(nio);
    await node.updateNio(portRef(c), nio);
    // GNS3 answers a NIO update with 201 and the request body.
    return c.json(nio, 201);
  });

  app.delete(`${PORT}/nio`, async (c) => {
    await nodeOf(c).removeNio(portRef(c));
    return c.body(null, 204);
  });

  app.post(`${PORT}/start_capture`, async (c) => {
    const node = nodeOf(c);
    const { capture_file_name } = await body(c, CaptureStart);
    const file = await node.startCapture(portRef(c), capture_file_name);
    return c.json({ pcap_file_path: file });
  });

  app.post(`${PORT}/stop_capture`, async (c) => {
    await nodeOf(c).stopCapture(portRef(c));
    return c.body(null, 204);
  });

  return app;
}
