/**
 * Node routes of a project: CRUD, actions (one node or all), duplicate, disks, node files, consoles, and nodes created
 * from templates. Every request on one node runs under that node's lock.
 */
import { Hono, type Context } from 'hono';
import type { Controller } from '../../controller/controller.ts';
import type { Runtime } from '../../runtime/types.ts';
import { QemuResizeDisk } from '../../compute/qemu/schemas.ts';
import { relayedErrorResponse } from '../error-response.ts';
import { body } from '../validate.ts';
import { NodeActionBody, NodeCreate, NodeDuplicate, NodeUpdate, TemplateInstance } from '../../controller/schemas.ts';
import { fail } from '../../errors/index.ts';
import { nodeLockKey } from '../../concurrency/keyed-lock.ts';
import { projectScope } from './project-scope.ts';

const NODE_ACTIONS = ['start', 'stop', 'suspend', 'reload'] as const;

export function nodeRoutes(controller: Controller, runtime: Runtime): Hono {
  const app = new Hono();
  const { project, withNode, listOf } = projectScope(controller);

  app.get('/projects/:project_id/nodes', listOf('nodes'));
  app.post('/projects/:project_id/nodes', async (c) => {
    const p = await project(c);
    const input = await body(c, NodeCreate);
    p.requireOpened();
    const node = await p.addNode(controller.getCompute(input.compute_id), {
      ...input,
      symbol: input.symbol ?? undefined,
      node_type: input.node_type,
    });
    return c.json(node.toJSON(), 201);
  });
  for (const action of NODE_ACTIONS) {
    app.post(`/projects/:project_id/nodes/${action}`, async (c) => {
      const p = await project(c);
      p.requireOpened();
      await p.bulkAction(action);
      return c.body(null, 204);
    });
  }
  app.post('/projects/:project_id/nodes/console/reset', async (c) => {
    const p = await project(c);
    p.requireOpened();
    const nodes = [...p.nodes.values()].filter((n) => n.console !== null && n.console_type === 'telnet');
    await Promise.allSettled(nodes.map((n) => n.compute.query('POST', `${n.path}/console/reset`)));
    return c.body(null, 204);
  });
  app.get('/projects/:project_id/nodes/:node_id', async (c) => {
    const p = await project(c);
    return c.json(p.getNode(c.req.param('node_id')).toJSON());
  });
  app.put('/projects/:project_id/nodes/:node_id', async (c) => {
    const input = await body(c, NodeUpdate);
    return c.json(
      await withNode(c, async (node, p) => {
        const before = JSON.stringify(node.toJSON());
        await node.update(input);
        if (JSON.stringify(node.toJSON()) !== before) p.emit('node.updated', node.toJSON());
        await p.save();
        return node.toJSON();
      }),
    );
  });
  app.delete('/projects/:project_id/nodes/:node_id', async (c) => {
    await withNode(c, (node, p) => p.deleteNode(node));
    return c.body(null, 204);
  });
  for (const action of NODE_ACTIONS) {
    app.post(`/projects/:project_id/nodes/:node_id/${action}`, async (c) => {
      const p = await project(c);
      const node = p.getNode(c.req.param('node_id'));
      const input = await body(c, NodeActionBody);
      await p.nodeAction(node, action, Object.keys(input).length > 0 ? input : undefined);
      return c.json(node.toJSON());
    });
  }
  app.post('/projects/:project_id/nodes/:node_id/duplicate', async (c) => {
    const input = await body(c, NodeDuplicate);
    const p = await project(c);
    const source = p.getNode(c.req.param('node_id'));
    if (source.running) throw fail('NODE_RUNNING_DUPLICATE', source.name);
    const copy = source.toTopology();
    const properties = { ...copy.properties };
    for (const key of ['mac_addr', 'mac_address', 'application_id', 'dynamips_id']) delete properties[key];
    const node = await p.addNode(source.compute, {
      ...copy,
      properties,
      node_id: undefined,
      symbol: copy.symbol ?? undefined,
      x: input.x,
      y: input.y,
      z: input.z ?? 0,
      locked: false,
    });
    try {
      await controller.locks.run(nodeLockKey(p.id, source.node_id), () => source.duplicateOnCompute(node.node_id));
    } catch (err) {
      await p.deleteNode(node).catch(() => {});
      throw err;
    }
    return c.json(node.toJSON(), 201);
  });
  app.get('/projects/:project_id/nodes/:node_id/links', async (c) => {
    const p = await project(c);
    const node = p.getNode(c.req.param('node_id'));
    return c.json([...p.links.values()].filter((l) => l.ends.some((e) => e.node === node)).map((l) => l.toJSON()));
  });
  app.post('/projects/:project_id/nodes/:node_id/resize_disk', async (c) => {
    const input = await body(c, QemuResizeDisk);
    await withNode(c, (node) => node.resizeDisk(input));
    return c.body(null, 201);
  });
  // Dynamips idle-PC: forwarded to the compute, which may start the router and wait for it (gns3-server: 240 s).
  for (const route of ['auto_idlepc', 'idlepc_proposals']) {
    app.get(`/projects/:project_id/nodes/:node_id/dynamips/${route}`, async (c) =>
      c.json(await withNode(c, (node) => {
        if (node.node_type !== 'dynamips') throw fail('NODE_NOT_DYNAMIPS', node.name);
        return node.compute.query('GET', `${node.path}/${route}`, undefined, { timeoutMs: 240_000 });
      })));
  }
  app.post('/projects/:project_id/nodes/:node_id/console/reset', async (c) => {
    await withNode(c, (node) => node.compute.query('POST', `${node.path}/console/reset`));
    return c.body(null, 204);
  });
  const nodeFile = async (c: Context) => {
    const p = await project(c);
    const node = p.getNode(c.req.param('node_id')!);
    const path = c.req.param('path')!;
    if (path.startsWith('.') || path.includes('/../')) throw fail('FILE_ACCESS_FORBIDDEN');
    return { node, p, computePath: `/projects/${p.id}/files/project-files/${node.node_type}/${node.node_id}/${path}` };
  };
  app.get('/projects/:project_id/nodes/:node_id/files/:path{.+}', async (c) => {
    const { node, computePath } = await nodeFile(c);
    const response = await node.compute.fetch('GET', computePath);
    if (!response.ok) return relayedErrorResponse(c, response);
    return new Response(response.body, { status: 200, headers: { 'Content-Type': 'application/octet-stream' } });
  });
  app.post('/projects/:project_id/nodes/:node_id/files/:path{.+}', async (c) => {
    const { node, computePath } = await nodeFile(c);
    const response = await node.compute.fetch('POST', computePath, { raw: await c.req.arrayBuffer() });
    return c.body(null, response.status as 201);
  });
  app.get('/projects/:project_id/nodes/:node_id/console/ws', async (c, next) => {
    const p = await project(c);
    const node = p.getNode(c.req.param('node_id'));
    const url = node.compute.client.wsUrl(`${node.path}/console/ws`);
    if (!url) throw fail('NODE_NO_WEB_CONSOLE', node.name);
    return relayConsole(c, next, runtime, url, node.compute.client.authorization);
  });

  // ---- nodes from templates ----
  app.post('/projects/:project_id/templates/:template_id', async (c) => {
    const input = await body(c, TemplateInstance);
    const p = await project(c);
    p.requireOpened();
    const template = structuredClone(controller.templates.get(c.req.param('template_id')));
    const computeId = template.builtin ? input.compute_id : ((template.compute_id as string | null) ?? input.compute_id);
    const compute = controller.getCompute(computeId);
    const format = String(template.default_name_format ?? '{name}-{0}');
    const name = input.name ?? format.replace('{name}', template.name);
    const { template_type, template_id, name: _n, default_name_format: _f, compute_id: _c, builtin: _b, category: _g, usage: _u, ...settings } = template;
    void [_n, _f, _c, _b, _g, _u];
    const top: Record<string, unknown> = {};
    const properties: Record<string, unknown> = { ...((settings.properties as Record<string, unknown>) ?? {}) };
    const NODE_KEYS = ['console', 'console_type', 'console_auto_start', 'symbol', 'label', 'port_name_format', 'port_segment_size', 'first_port_name', 'custom_adapters', 'z', 'locked'];
    for (const [key, value] of Object.entries(settings)) {
      if (key === 'properties') continue;
      if (NODE_KEYS.includes(key)) top[key] = value;
      // gns3-server leaves empty settings out of the node (a Dynamips template's mac_addr "" is no MAC address).
      else if (value !== null && value !== '') properties[key] = value;
    }
    const node = await p.addNode(compute, {
      ...(top as object),
      first_port_name: (top.first_port_name as string) || null,
      name,
      node_type: template_type,
      template_id,
      properties,
      x: input.x,
      y: input.y,
    });
    return c.json(node.toJSON(), 201);
  });

  return app;
}

/** Console WebSocket of a remote node: frames relayed both ways to the compute's console WebSocket. */
export function relayConsole(c: Context, next: () => Promise<void>, runtime: Runtime, url: string, authorization?: string) {
  const upgrade = runtime.upgradeWebSocket(() => {
    let upstream: { send(d: unknown): void; close(): void } | undefined;
    const pending: unknown[] = [];
    return {
      async onOpen(_event, ws) {
        const { WebSocket: Client } = (globalThis as { Deno?: unknown }).Deno ? { WebSocket: (globalThis as unknown as { WebSocket: new (u: string, o: unknown) => never }).WebSocket } : await import('ws');
        const socket = new (Client as unknown as new (u: string, o: unknown) => {
          binaryType: string; send(d: unknown): void; close(): void; onmessage: (e: { data: unknown }) => void; onclose: () => void; onopen: () => void; onerror: () => void;
        })(url, { headers: authorization ? { authorization } : {} });
        socket.binaryType = 'arraybuffer';
        socket.onopen = () => {
          upstream = socket;
          for (const data of pending.splice(0)) socket.send(data);
        };
        socket.onmessage = (e) => ws.send(typeof e.data === 'string' ? e.data : new Uint8Array(e.data as ArrayBuffer));
        socket.onclose = () => ws.close();
        socket.onerror = () => ws.close();
      },
      onMessage(event) {
        if (upstream) upstream.send(event.data);
        else pending.push(event.data);
      },
      onClose() {
        upstream?.close();
      },
    };
  });
  return upgrade(c, next);
}
