/** Link routes of a project: CRUD, filters, packet capture and its pcap stream. */
import type { Hono } from 'hono';
import type { Controller } from '../../controller/controller.ts';
import { AVAILABLE_FILTERS, FILTER_CAPABLE_TYPES } from '../../controller/filters.ts';
import { body } from '../validate.ts';
import { collectionRoutes } from './collection-routes.ts';
import { CaptureStart, LinkCreate, LinkUpdate } from '../../controller/schemas.ts';
import { projectScope } from './project-scope.ts';

export function linkRoutes(controller: Controller): Hono {
  const app = collectionRoutes(controller, {
    kind: 'links',
    find: (p, id) => p.getLink(id),
    create: [LinkCreate, (p, input) => p.addLink({ ...input, filters: input.filters, link_style: input.link_style })],
    update: [LinkUpdate, (p, link, input) => p.updateLink(link, input)],
    remove: (p, link) => p.deleteLink(link),
  });
  const { project } = projectScope(controller);
  app.get('/projects/:project_id/links/:link_id/available_filters', async (c) => {
    const link = (await project(c)).getLink(c.req.param('link_id'));
    return c.json(link.ends.some((e) => FILTER_CAPABLE_TYPES.has(e.node.node_type)) ? AVAILABLE_FILTERS : []);
  });
  app.post('/projects/:project_id/links/:link_id/start_capture', async (c) => {
    const input = await body(c, CaptureStart);
    const p = await project(c);
    const link = p.getLink(c.req.param('link_id'));
    await link.startCapture(input.capture_file_name, input.data_link_type);
    p.emit('link.updated', link.toJSON());
    return c.json(link.toJSON(), 201);
  });
  app.post('/projects/:project_id/links/:link_id/stop_capture', async (c) => {
    const p = await project(c);
    const link = p.getLink(c.req.param('link_id'));
    await link.stopCapture();
    p.emit('link.updated', link.toJSON());
    return c.json(link.toJSON(), 201);
  });
  app.get('/projects/:project_id/links/:link_id/pcap', async (c) => {
    const link = (await project(c)).getLink(c.req.param('link_id'));
    const response = await link.pcap(c.req.raw.signal);
    return new Response(response.body, { status: response.status, headers: { 'Content-Type': response.headers.get('content-type') ?? 'application/vnd.tcpdump.pcap' } });
  });

  return app;
}
