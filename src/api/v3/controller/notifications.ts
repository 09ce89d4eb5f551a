/**
 * The v3 WebSockets (notifications, node consoles) and notification streams. Same hub as /v2, with 3.0's differences: pings carry `disk_usage_percent`,
 * node events carry `aux`/`aux_type`, `project.*` events go to the controller stream only, and WebSockets
 * authenticate with `?token=` (none: 403 at the handshake; a bad one: a `log.error` frame, then close 1008).
 */
import { Hono, type Context } from 'hono';
import type { Access } from '../../../access/index.ts';
import type { User } from '../../../access/store.ts';
import type { Controller } from '../../../controller/controller.ts';
import { frame, type Listener, type Message } from '../../../controller/notification-hub.ts';
import { diskUsagePercentNow } from '../../../metrics/host-statistics.ts';
import type { WSEvents } from 'hono/ws';
import type { Runtime } from '../../../runtime/types.ts';
import { fail } from '../../../errors/index.ts';
import { allowed, guard, userOfToken, type V3Env } from '../auth.ts';
import { v3ErrorHandler } from '../errors.ts';
import { relayConsole } from '../../controller/nodes.ts';
import { v3Node } from '../shapes.ts';
import { uuidParam } from '../validate.ts';

type Scope = 'controller' | 'project';

/** A hub message as a v3 client sees it, or undefined when 3.0 would not send it on this stream. */
function v3Message(message: Message, scope: Scope, projectsDir: string): Message | undefined {
  if (message.action === 'ping') return { action: 'ping', event: { ...(message.event as object), disk_usage_percent: diskUsagePercentNow(projectsDir) } };
  if (scope === 'project' && message.action.startsWith('project.')) return undefined;
  if (message.action.startsWith('node.') && message.event && typeof message.event === 'object' && 'node_id' in message.event && 'node_type' in message.event) {
    return { action: message.action, event: v3Node(message.event as Record<string, unknown>) };
  }
  return message;
}

async function* messages(listener: Listener, scope: Scope, projectsDir: string): AsyncGenerator<string> {
  for (let message = await listener.next(); message; message = await listener.next()) {
    const shown = v3Message(message, scope, projectsDir);
    if (shown) yield frame(shown);
  }
}

function httpStream(listener: Listener, scope: Scope, projectsDir: string): Response {
  const encoder = new TextEncoder();
  const source = messages(listener, scope, projectsDir);
  const stream = new ReadableStream<Uint8Array>({
    async pull(controller) {
      const next = await source.next();
      if (next.done) return controller.close();
      controller.enqueue(encoder.encode(next.value + '\n'));
    },
    cancel() {
      listener.close();
    },
  });
  return new Response(stream, { headers: { 'Content-Type': 'application/json', 'Cache-Control': 'no-cache' } });
}

export function socketRoutes(controller: Controller, access: Access, runtime: Runtime): Hono<V3Env> {
  const app = new Hono<V3Env>();
  app.onError(v3ErrorHandler);
  const projectsDir = controller.options.projectsDir;

  /** Why a WebSocket request may not go on (sent as `log.error` before closing), or undefined. */
  const refusalOf = async (token: string, privilege: string | undefined, path: string) => {
    const user: User | string = await userOfToken(access, token);
    if (typeof user === 'string') return `Could not authenticate while connecting to controller WebSocket: ${user}`;
    if (privilege && !allowed(access, user, privilege, path)) return `Permission denied (privilege ${privilege} is required)`;
    return undefined;
  };
  const upgraded = async (c: Context, handler: () => WSEvents) => {
    const response = await runtime.upgradeWebSocket(handler)(c, async () => {});
    if (!response) throw fail('NOT_A_WEBSOCKET');
    return response;
  };
  const refuse = (c: Context, refusal: string) =>
    upgraded(c, () => ({
      onOpen(_event, ws) {
        ws.send(frame({ action: 'log.error', event: { message: refusal } }));
        ws.close(1008, 'Policy violation');
      },
    }));

  /** A notification WebSocket: `?token=` required, then `privilege` on `path`. */
  const socket = async (c: Context, privilege: string | undefined, path: string, scope: Scope, open: () => Listener) => {
    const token = c.req.query('token');
    if (!token) return c.json({ message: 'Not authenticated' }, 403);
    const refusal = await refusalOf(token, privilege, path);
    if (refusal) return refuse(c, refusal);
    return upgraded(c, () => {
      let listener: Listener | undefined;
      return {
        onOpen(_event, ws) {
          const current = (listener = open());
          void (async () => {
            for await (const text of messages(current, scope, projectsDir)) {
              try {
                ws.send(text);
              } catch {
                current.close();
              }
            }
          })();
        },
        onClose() {
          listener?.close();
        },
        onError() {
          listener?.close();
        },
      };
    });
  };

  // WebSockets first: they authenticate by query token only, before the bearer middleware the other routes sit behind.
  app.get('/notifications/ws', (c) => socket(c, undefined, '/', 'controller', () => controller.hub.listenController()));
  app.get('/projects/:project_id/notifications/ws', (c) => {
    const project = controller.getProject(uuidParam(c, 'project_id'));
    return socket(c, 'Project.Audit', `/projects/${project.id}`, 'project', () => controller.hub.listenProject(project.id));
  });
  /** Node console: relayed to the compute's console WebSocket (text in, binary out), as /v2 does. */
  app.get('/projects/:project_id/nodes/:node_id/console/ws', async (c, next) => {
    const project = controller.getProject(uuidParam(c, 'project_id'));
    await project.ready();
    const node = project.getNode(uuidParam(c, 'node_id'));
    const token = c.req.query('token');
    if (!token) return c.json({ message: 'Not authenticated' }, 403);
    const refusal = await refusalOf(token, 'Node.Console', `/projects/${project.id}/nodes/${node.node_id}`);
    if (refusal) return refuse(c, refusal);
    const url = node.compute.client.wsUrl(`${node.path}/console/ws`);
    if (!url) throw fail('NODE_NO_WEB_CONSOLE', node.name);
    return relayConsole(c, next, runtime, url, node.compute.client.authorization);
  });
  return app;
}

/** The two HTTP streams (behind the bearer middleware). */
export function notificationStreamRoutes(controller: Controller, access: Access): Hono<V3Env> {
  const app = new Hono<V3Env>();
  app.onError(v3ErrorHandler);
  const projectsDir = controller.options.projectsDir;
  app.get('/notifications', () => httpStream(controller.hub.listenController(), 'controller', projectsDir));
  app.get('/projects/:project_id/notifications', guard(access, 'Project.Audit'), (c) => {
    const project = controller.getProject(uuidParam(c, 'project_id'));
    return httpStream(controller.hub.listenProject(project.id), 'project', projectsDir);
  });
  return app;
}
