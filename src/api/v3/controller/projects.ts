/** `/v3/projects/...`: projects, nodes, links, drawings and nodes from templates, over the same objects as /v2. */
import { Hono, type Context } from 'hono';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import type { Access } from '../../../access/index.ts';
import type { Controller } from '../../../controller/controller.ts';
import { AVAILABLE_FILTERS, FILTER_CAPABLE_TYPES } from '../../../controller/filters.ts';
import type { Node } from '../../../controller/node.ts';
import type { ControllerProject } from '../../../controller/project.ts';
import { snapshotFiles } from '../../../controller/snapshots.ts';
import { readProjectFile, writeProjectFile } from '../../../storage/project-files.ts';
import { fail, isError } from '../../../errors/index.ts';
import { decodeParam } from '../../validate.ts';
import { allowed, guard, type V3Env } from '../auth.ts';
import { v3ErrorHandler } from '../errors.ts';
import {
  CaptureStart, DrawingBody, LinkCreate, LinkUpdate, NodeCreate, NodeDuplicate, NodeUpdate, ProjectCreate, ProjectLoad, ProjectUpdate, StartData,
  TemplateInstance,
} from '../schemas.ts';
import { nodeJson } from '../shapes.ts';
import { addNodeFromTemplate, getTemplate } from '../templates.ts';
import { uuidParam, v3Body } from '../validate.ts';
import { nodeLockKey } from '../../../concurrency/keyed-lock.ts';
import { QemuDiskImageCreate, QemuDiskImageUpdate } from '../../../compute/qemu/schemas.ts';

const NODE_ACTIONS = ['start', 'stop', 'suspend', 'reload'] as const;

/** 3.0's QEMU nodes default to the x86_64 platform (2.2's to none, which needs a `qemu_path`). */
const qemuDefaults = (properties: Record<string, unknown>) =>
  properties.platform || properties.qemu_path ? properties : { ...properties, platform: 'x86_64' };

/** A compute's error answer, relayed with its status in the v3 shape (`{"message"}`). */
async function relayed(c: Context, response: Response): Promise<Response> {
  const { message } = (await response.json().catch(() => ({}))) as { message?: string };
  return c.json({ message: message ?? 'Error' }, response.status as ContentfulStatusCode);
}

export function projectRoutes(controller: Controller, access: Access): Hono<V3Env> {
  const app = new Hono<V3Env>();
  app.onError(v3ErrorHandler);
  const can = (privilege: string) => guard(access, privilege);

  const project = async (c: Context): Promise<ControllerProject> => {
    const found = controller.getProject(uuidParam(c, 'project_id'));
    await found.ready();
    return found;
  };
  const node = async (c: Context): Promise<[Node, ControllerProject]> => {
    const p = await project(c);
    return [p.getNode(uuidParam(c, 'node_id')), p];
  };
  const link = async (c: Context) => (await project(c)).getLink(uuidParam(c, 'link_id'));
  /** Under the node's FIFO lock, as every mutation of one node is in GNS3. */
  const withNode = async <T>(c: Context, fn: (n: Node, p: ControllerProject) => Promise<T>): Promise<T> => {
    const [n, p] = await node(c);
    return controller.locks.run(nodeLockKey(p.id, n.node_id), () => fn(n, p));
  };

  /** Nodes, links or drawings of a project: the live objects when it is opened, else what its file stores (as 3.0). */
  const listed = async (c: Context, key: 'nodes' | 'links' | 'drawings', live: (p: ControllerProject) => unknown[]) => {
    const p = await project(c);
    return c.json(p.status === 'opened' ? live(p) : (await p.readFile()).topology[key]);
  };

  // ---- projects ----
  app.get('/projects', (c) => {
    const user = c.get('user');
    const visible = [...controller.projects.values()].filter((p) => allowed(access, user, 'Project.Audit', `/projects/${p.id}`));
    return c.json(visible.map((p) => p.toJSON()));
  });
  app.post('/projects', can('Project.Allocate'), async (c) => c.json((await controller.createProject(await v3Body(c, ProjectCreate))).toJSON(), 201));
  app.post('/projects/load', can('Project.Allocate'), async (c) => {
    const { path } = await v3Body(c, ProjectLoad);
    if (!controller.options.local) throw fail('PROJECT_LOAD_LOCAL_ONLY');
    return c.json((await controller.loadProject(path)).toJSON(), 201);
  });
  app.get('/projects/:project_id', can('Project.Audit'), async (c) => c.json((await project(c)).toJSON()));
  app.put('/projects/:project_id', can('Project.Modify'), async (c) => {
    const p = await project(c);
    await p.update(await v3Body(c, ProjectUpdate));
    controller.hub.controller('project.updated', p.toJSON());
    return c.json(p.toJSON());
  });
  app.delete('/projects/:project_id', can('Project.Allocate'), async (c) => {
    const p = await project(c);
    await controller.deleteProject(p);
    await access.store.forgetResource(p.id);
    await access.store.dropAcesUnder(`/projects/${p.id}`);
    return c.body(null, 204);
  });
  for (const [action, event] of [['open', 'project.opened'], ['close', 'project.closed']] as const) {
    app.post(`/projects/:project_id/${action}`, can('Project.Allocate'), async (c) => {
      const p = await project(c);
      await p[action]();
      controller.hub.controller(event, p.toJSON());
      return action === 'open' ? c.json(p.toJSON(), 201) : c.body(null, 204);
    });
  }
  app.get('/projects/:project_id/stats', can('Project.Audit'), async (c) => {
    const p = await project(c);
    return c.json(p.stats((await snapshotFiles(p)).length));
  });
  app.get('/projects/:project_id/locked', can('Project.Audit'), async (c) => {
    const p = await project(c);
    p.requireOpened();
    return c.json([...p.nodes.values()].every((n) => n.locked) && [...p.drawings.values()].every((d) => d.fields.locked === true));
  });
  for (const [action, locked] of [['lock', true], ['unlock', false]] as const) {
    app.post(`/projects/:project_id/${action}`, can('Project.Modify'), async (c) => {
      const p = await project(c);
      p.requireOpened();
      for (const n of p.nodes.values()) {
        if (n.locked === locked) continue;
        await controller.locks.run(nodeLockKey(p.id, n.node_id), () => n.update({ locked }));
        p.emit('node.updated', n.toJSON());
      }
      for (const d of p.drawings.values()) if (d.fields.locked !== locked) await p.updateDrawing(d, { locked });
      await p.save();
      return c.body(null, 204);
    });
  }

  // ---- project files ----
  // 3.0 answers a missing file or folder with FastAPI's bare `{"message": "Not Found"}`.
  const asV3NotFound = (err: unknown) => {
    throw isError(err, 'FILE_NOT_FOUND') ? fail('V3_NOT_FOUND') : err;
  };
  app.get('/projects/:project_id/files/:path{.+}', can('Project.Audit'), async (c) => {
    const data = await readProjectFile((await project(c)).path, decodeParam(c.req.param('path'))).catch(asV3NotFound);
    return c.body(data as Uint8Array<ArrayBuffer>, 200, { 'Content-Type': 'application/octet-stream' });
  });
  app.post('/projects/:project_id/files/:path{.+}', can('Project.Modify'), async (c) => {
    const path = (await project(c)).path;
    await writeProjectFile(path, decodeParam(c.req.param('path')), new Uint8Array(await c.req.arrayBuffer())).catch(asV3NotFound);
    return c.body(null, 204);
  });

  // ---- nodes ----
  app.get('/projects/:project_id/nodes', can('Node.Audit'), (c) => listed(c, 'nodes', (p) => [...p.nodes.values()].map(nodeJson)));
  app.post('/projects/:project_id/nodes', can('Node.Allocate'), async (c) => {
    const p = await project(c);
    const { compute_id, aux: _aux, aux_type: _auxType, ...input } = await v3Body(c, NodeCreate);
    void [_aux, _auxType];
    p.requireOpened();
    const properties = input.node_type === 'qemu' ? qemuDefaults(input.properties ?? {}) : input.properties;
    const n = await p.addNode(controller.getCompute(compute_id), { ...input, properties, symbol: input.symbol ?? undefined });
    return c.json(nodeJson(n), 201);
  });
  app.post('/projects/:project_id/templates/:template_id', can('Node.Allocate'), async (c) => {
    const p = await project(c);
    const input = await v3Body(c, TemplateInstance);
    p.requireOpened();
    const n = await addNodeFromTemplate(controller, p, getTemplate(controller, uuidParam(c, 'template_id')), input);
    return c.json(nodeJson(n), 201);
  });
  for (const action of NODE_ACTIONS) {
    app.post(`/projects/:project_id/nodes/${action}`, can('Node.PowerMgmt'), async (c) => {
      const p = await project(c);
      p.requireOpened();
      await p.bulkAction(action);
      return c.body(null, 204);
    });
  }
  app.post('/projects/:project_id/nodes/console/reset', can('Node.Console'), async (c) => {
    const p = await project(c);
    p.requireOpened();
    const nodes = [...p.nodes.values()].filter((n) => n.console !== null && n.console_type === 'telnet');
    await Promise.allSettled(nodes.map((n) => n.compute.query('POST', `${n.path}/console/reset`)));
    return c.body(null, 204);
  });
  app.get('/projects/:project_id/nodes/:node_id', can('Node.Audit'), async (c) => c.json(nodeJson((await node(c))[0])));
  app.put('/projects/:project_id/nodes/:node_id', can('Node.Modify'), async (c) => {
    const input = await v3Body(c, NodeUpdate);
    const json = await withNode(c, async (n, p) => {
      if (input.name !== undefined && input.name !== n.name && n.running) {
        throw fail('NODE_RENAME_RUNNING');
      }
      const before = JSON.stringify(n.toJSON());
      await n.update(input);
      if (JSON.stringify(n.toJSON()) !== before) p.emit('node.updated', n.toJSON());
      await p.save();
      return nodeJson(n);
    });
    // 3.0 leaves unset keys out of PUT answers (`response_model_exclude_unset`), nulls included.
    return c.json(Object.fromEntries(Object.entries(json).filter(([, value]) => value !== null)));
  });
  app.delete('/projects/:project_id/nodes/:node_id', can('Node.Allocate'), async (c) => {
    const path = `/projects/${uuidParam(c, 'project_id')}/nodes/${uuidParam(c, 'node_id')}`;
    await withNode(c, (n, p) => p.deleteNode(n));
    await access.store.dropAcesUnder(path);
    return c.body(null, 204);
  });
  app.post('/projects/:project_id/nodes/:node_id/start', can('Node.PowerMgmt'), async (c) => {
    const data = await v3Body(c, StartData);
    const [n, p] = await node(c);
    await p.nodeAction(n, 'start', Object.keys(data).length > 0 ? data : undefined);
    return c.body(null, 204);
  });
  for (const action of ['stop', 'suspend', 'reload'] as const) {
    app.post(`/projects/:project_id/nodes/:node_id/${action}`, can('Node.PowerMgmt'), async (c) => {
      const [n, p] = await node(c);
      await p.nodeAction(n, action);
      return c.body(null, 204);
    });
  }
  for (const [action, suspend] of [['isolate', true], ['unisolate', false]] as const) {
    app.post(`/projects/:project_id/nodes/:node_id/${action}`, can('Link.Modify'), async (c) => {
      const [n, p] = await node(c);
      for (const l of p.links.values()) if (l.ends.some((e) => e.node === n)) await p.updateLink(l, { suspend });
      return c.body(null, 204);
    });
  }
  app.post('/projects/:project_id/nodes/:node_id/duplicate', can('Node.Allocate'), async (c) => {
    const input = await v3Body(c, NodeDuplicate);
    const [source, p] = await node(c);
    if (source.running) throw fail('NODE_RUNNING_DUPLICATE', source.name);
    const copy = source.toTopology();
    const properties = { ...copy.properties };
    for (const key of ['mac_addr', 'mac_address', 'application_id', 'dynamips_id']) delete properties[key];
    const n = await p.addNode(source.compute, { ...copy, properties, node_id: undefined, symbol: copy.symbol ?? undefined, ...input, locked: false });
    try {
      await controller.locks.run(nodeLockKey(p.id, source.node_id), () => source.duplicateOnCompute(n.node_id));
    } catch (err) {
      await p.deleteNode(n).catch(() => {});
      throw err;
    }
    return c.json(nodeJson(n), 201);
  });
  /** 3.0's per-node QEMU disks (replacing `resize_disk`), made, grown and deleted by the node's compute. */
  const diskImage = '/projects/:project_id/nodes/:node_id/qemu/disk_image/:disk_name';
  const onDisk = (c: Context, action: 'Creating' | 'Updating' | 'Deleting', method: string, body?: unknown) =>
    withNode(c, async (n) => {
      if (n.node_type !== 'qemu') throw fail('DISK_IMAGE_NOT_QEMU', action);
      await n.compute.query(method, `${n.path}/disk_image/${encodeURIComponent(decodeParam(c.req.param('disk_name')!))}`, body);
      return c.body(null, 204);
    });
  app.post(diskImage, can('Node.Allocate'), async (c) => onDisk(c, 'Creating', 'POST', await v3Body(c, QemuDiskImageCreate)));
  app.put(diskImage, can('Node.Allocate'), async (c) => onDisk(c, 'Updating', 'PUT', await v3Body(c, QemuDiskImageUpdate)));
  app.delete(diskImage, can('Node.Allocate'), (c) => onDisk(c, 'Deleting', 'DELETE'));
  app.get('/projects/:project_id/nodes/:node_id/links', can('Link.Audit'), async (c) => {
    const [n, p] = await node(c);
    return c.json([...p.links.values()].filter((l) => l.ends.some((e) => e.node === n)).map((l) => l.toJSON()));
  });
  app.post('/projects/:project_id/nodes/:node_id/console/reset', can('Node.Console'), async (c) => {
    await withNode(c, (n) => n.compute.query('POST', `${n.path}/console/reset`));
    return c.body(null, 204);
  });
  const nodeFile = async (c: Context) => {
    const [n, p] = await node(c);
    const path = decodeParam(c.req.param('path')!);
    if (path.startsWith('.') || path.includes('../')) throw fail('FILE_ACCESS_FORBIDDEN');
    return { n, computePath: `/projects/${p.id}/files/project-files/${n.node_type}/${n.node_id}/${path}` };
  };
  app.get('/projects/:project_id/nodes/:node_id/files/:path{.+}', can('Node.Audit'), async (c) => {
    const { n, computePath } = await nodeFile(c);
    const response = await n.compute.fetch('GET', computePath);
    if (!response.ok) return relayed(c, response);
    return new Response(response.body, { status: 200, headers: { 'Content-Type': 'application/octet-stream' } });
  });
  app.post('/projects/:project_id/nodes/:node_id/files/:path{.+}', can('Node.Modify'), async (c) => {
    const { n, computePath } = await nodeFile(c);
    const response = await n.compute.fetch('POST', computePath, { raw: await c.req.arrayBuffer() });
    if (!response.ok) return relayed(c, response);
    return c.json(null, 201);
  });

  // ---- links ----
  app.get('/projects/:project_id/links', can('Link.Audit'), (c) => listed(c, 'links', (p) => [...p.links.values()].map((l) => l.toJSON())));
  app.post('/projects/:project_id/links', can('Link.Allocate'), async (c) => {
    const input = await v3Body(c, LinkCreate);
    const p = await project(c);
    return c.json((await p.addLink(input)).toJSON(), 201);
  });
  app.get('/projects/:project_id/links/:link_id', can('Link.Audit'), async (c) => c.json((await link(c)).toJSON()));
  app.put('/projects/:project_id/links/:link_id', can('Link.Modify'), async (c) => {
    const input = await v3Body(c, LinkUpdate);
    const l = await link(c);
    await l.project.updateLink(l, input);
    return c.json(l.toJSON());
  });
  app.delete('/projects/:project_id/links/:link_id', can('Link.Allocate'), async (c) => {
    const l = await link(c);
    await l.project.deleteLink(l);
    await access.store.dropAcesUnder(`/projects/${l.project.id}/links/${l.link_id}`);
    return c.body(null, 204);
  });
  app.get('/projects/:project_id/links/:link_id/available_filters', can('Link.Audit'), async (c) => {
    const l = await link(c);
    return c.json(l.ends.some((e) => FILTER_CAPABLE_TYPES.has(e.node.node_type)) ? AVAILABLE_FILTERS : []);
  });
  /** A link's cloud or NAT side: the host interface (or UDP tunnel) its port maps to, read from the compute. */
  app.get('/projects/:project_id/links/:link_id/iface', can('Link.Audit'), async (c) => {
    const l = await link(c);
    for (const end of l.ends.filter((e) => e.node.node_type === 'cloud' || e.node.node_type === 'nat')) {
      const json = (await end.node.compute.query('GET', end.node.path)) as { ports_mapping?: Array<Record<string, unknown>> };
      const port = json.ports_mapping?.find((p) => p.port_number === end.port_number);
      if (!port) continue;
      const type = String(port.type ?? '');
      return c.json(type.toLowerCase().includes('udp')
        ? { node_id: end.node.node_id, type, lport: port.lport, rhost: port.rhost, rport: port.rport }
        : { node_id: end.node.node_id, type, interface: port.interface });
    }
    throw fail('LINK_NOT_CLOUD_NAT');
  });
  app.post('/projects/:project_id/links/:link_id/reset', can('Link.Modify'), async (c) => {
    const l = await link(c);
    await l.unrealize();
    await l.realize();
    l.project.emit('link.updated', l.toJSON());
    return c.json(l.toJSON());
  });
  app.post('/projects/:project_id/links/:link_id/capture/start', can('Link.Capture'), async (c) => {
    const input = await v3Body(c, CaptureStart);
    const l = await link(c);
    await l.startCapture(input.capture_file_name, input.data_link_type);
    l.project.emit('link.updated', l.toJSON());
    return c.json(l.toJSON(), 201);
  });
  app.post('/projects/:project_id/links/:link_id/capture/stop', can('Link.Capture'), async (c) => {
    const l = await link(c);
    await l.stopCapture();
    l.project.emit('link.updated', l.toJSON());
    return c.body(null, 204);
  });
  app.get('/projects/:project_id/links/:link_id/capture/stream', can('Link.Capture'), async (c) => {
    const response = await (await link(c)).pcap(c.req.raw.signal);
    return new Response(response.body, { status: response.status, headers: { 'Content-Type': 'application/vnd.tcpdump.pcap' } });
  });

  // ---- drawings ----
  app.get('/projects/:project_id/drawings', can('Drawing.Audit'), (c) => listed(c, 'drawings', (p) => [...p.drawings.values()].map((d) => d.toJSON())));
  app.post('/projects/:project_id/drawings', can('Drawing.Allocate'), async (c) => {
    const input = await v3Body(c, DrawingBody);
    return c.json((await (await project(c)).addDrawing(input)).toJSON(), 201);
  });
  app.get('/projects/:project_id/drawings/:drawing_id', can('Drawing.Audit'), async (c) =>
    c.json((await project(c)).getDrawing(uuidParam(c, 'drawing_id')).toJSON()));
  app.put('/projects/:project_id/drawings/:drawing_id', can('Drawing.Modify'), async (c) => {
    const input = await v3Body(c, DrawingBody);
    const p = await project(c);
    const drawing = p.getDrawing(uuidParam(c, 'drawing_id'));
    await p.updateDrawing(drawing, input);
    return c.json(drawing.toJSON());
  });
  app.delete('/projects/:project_id/drawings/:drawing_id', can('Drawing.Allocate'), async (c) => {
    const p = await project(c);
    await p.deleteDrawing(p.getDrawing(uuidParam(c, 'drawing_id')));
    return c.body(null, 204);
  });

  return app;
}

