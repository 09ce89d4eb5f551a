/** Compute project routes: CRUD, close, UDP port allocation and the project files API. */
import { Hono } from 'hono';
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { Readable } from 'node:stream';
import type { Compute } from '../../compute/compute.ts';
import type { Notification } from '../../compute/notifier.ts';
import { pingEvent } from './server.ts';
import { contentType, existingFile, listFiles, writableFile, writeStreamAtomically } from '../../storage/project-files.ts';
import { ComputeProjectCreate, ComputeProjectUpdate } from '../../compute/schemas.ts';
import { body } from '../validate.ts';

export function projectRoutes(compute: Compute): Hono {
  const app = new Hono();

  app.get('/projects', (c) => c.json(compute.projects.map((p) => p.toJSON())));

  app.post('/projects', async (c) => {
    const project = await compute.createProject(await body(c, ComputeProjectCreate));
    return c.json(project.toJSON(), 201);
  });

  app.get('/projects/:project_id', (c) => c.json(compute.project(c.req.param('project_id')).toJSON()));

  app.put('/projects/:project_id', async (c) => {
    const project = compute.project(c.req.param('project_id'));
    const fields = await body(c, ComputeProjectUpdate);
    // Like GNS3, a compute only keeps `variables`; the rest belongs to the controller.
    if (fields.variables !== undefined) project.variables = fields.variables;
    return c.json(project.toJSON());
  });

  // GNS3 2.0/2.1 controllers call commit; every change is already on disk here.
  app.post('/projects/:project_id/commit', (c) => {
    compute.project(c.req.param('project_id'));
    return c.body(null, 204);
  });

  app.post('/projects/:project_id/close', async (c) => {
    await compute.closeProject(compute.project(c.req.param('project_id')), { remove: false });
    return c.body(null, 204);
  });

  app.delete('/projects/:project_id', async (c) => {
    await compute.closeProject(compute.project(c.req.param('project_id')), { remove: true });
    return c.body(null, 204);
  });

  // The legacy per-project stream (one JSON object per line, a ping after 5 s of silence); GNS3 2.2's is broken,
  // older clients still read it.
  app.get('/projects/:project_id/notifications', (c) => {
    const project = compute.project(c.req.param('project_id'));
    const encoder = new TextEncoder();
    let stop = () => {};
    const body = new ReadableStream<Uint8Array>({
      start(controller) {
        const send = (n: Notification) => controller.enqueue(encoder.encode(`${JSON.stringify(n)}\n`));
        send(pingEvent());
        let quiet = true;
        const unsubscribe = compute.notifier.subscribe((n) => {
          if (n.project_id !== project.id) return;
          quiet = false;
          send(n);
        });
        const timer = setInterval(() => {
          if (quiet) send(pingEvent());
          quiet = true;
        }, 5000);
        stop = () => {
          clearInterval(timer);
          unsubscribe();
        };
      },
      cancel: () => stop(),
    });
    return new Response(body, { headers: { 'Content-Type': 'application/json' } });
  });

  app.post('/projects/:project_id/ports/udp', async (c) => {
    const project = compute.project(c.req.param('project_id'));
    return c.json({ udp_port: await compute.allocateUdpPort(project) }, 201);
  });

  app.get('/projects/:project_id/files', async (c) => {
    const project = compute.project(c.req.param('project_id'));
    return c.json(await listFiles(project.path));
  });

  app.get('/projects/:project_id/files/:path{.+}', async (c) => {
    const project = compute.project(c.req.param('project_id'));
    const file = await existingFile(project.path, c.req.param('path'));
    const info = await stat(file);
    return new Response(Readable.toWeb(createReadStream(file)) as ReadableStream, {
      headers: {
        'Content-Type': contentType(file),
        'Content-Length': String(info.size),
        'Last-Modified': info.mtime.toUTCString(),
      },
    });
  });

  app.post('/projects/:project_id/files/:path{.+}', async (c) => {
    const project = compute.project(c.req.param('project_id'));
    const file = await writableFile(project.path, c.req.param('path'));
    await writeStreamAtomically(file, c.req.raw.body);
    return c.body(null, 201, { 'Content-Type': 'application/octet-stream' });
  });

  return app;
}
