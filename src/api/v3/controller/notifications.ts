/**
 * The v3 WebSockets (notifications, node consoles) and notification streams: the hub of /v2, messages shaped as 3.0
 * sends them (`v3Messages`), WebSockets authenticated with `?token=` (none: 403 at the handshake; a bad one: a
 * `log.error` frame, then close 1008).
 */
import { Hono, type Context } from 'hono';
import type { Access } from '../../../access/index.ts';
import type { User } from '../../../access/store.ts';
import type { Controller } from '../../../controller/controller.ts';
import { frame, type Listener, type Message } from '../../../controller/notification-hub.ts';
import { httpStream, socketStream, upgraded } from '../../notification-streams.ts';
import { diskUsagePercentNow } from '../../../metrics/host-statistics.ts';
import type { Runtime } from '../../../runtime/types.ts';
import { fail } from '../../../errors/index.ts';
import { allowed, guard, userOfToken, type V3Env } from '../auth.ts';
import { v3ErrorHandler } from '../errors.ts';
import { relayConsole } from '../../controller/nodes.ts';
import { computeLive, computeViewOf, v3Node } from '../shapes.ts';
import { uuidParam } from '../validate.ts';

type Scope = 'controller' | 'project';

/**
 * What a v3 client is sent for a hub message on a stream of `scope`: pings carry `disk_usage_percent`, node events
 * `aux`/`aux_type`, compute events 3.0's compute JSON (`compute.deleted` twice: the JSON, then `{compute_id}`),
 * `template.deleted` only `{template_id}`, and `project.*` go to the controller stream only.
 */
function v3Messages(controller: Controller): (message: Message, scope: Scope) => Message[] {
  const projectsDir = controller.options.projectsDir;
  return (message, scope) => {
    const { action } = message;
    const event = (message.event ?? {}) as Record<string, unknown>;
    if (action === 'ping') return [{ action, event: { ...event, disk_usage_percent: diskUsagePercentNow(projectsDir) } }];
    if (scope === 'project' && action.startsWith('project.')) return [];
    if (action.startsWith('node.') && 'node_id' in event && 'node_type' in event) return [{ action, event: v3Node(event) }];
    if (action === 'template.deleted') return [{ action, event: { template_id: event.template_id } }];
    if (action.startsWith('compute.')) {
      const compute = controller.computes.get(event.compute_id as string);
      const live = computeLive(compute ?? computeViewOf(event), compute?.id === 'local' ? diskUsagePercentNow(projectsDir) : null);
      if (action !== 'compute.deleted') return [{ action, event: live }];
      return [{ action, event: live }, { action, event: { compute_id: event.compute_id } }];
    }
    return [message];
  };
}

export function socketRoutes(controller: Controller, access: Access, runtime: Runtime): Hono<V3Env> {
  const app = new Hono<V3Env>();
  app.onError(v3ErrorHandler);
  const shown = v3Messages(controller);

  /** Why a WebSocket request may not go on (sent as `log.error` before closing), or undefined. */
  const refusalOf = async (token: string, privilege: string | undefined, path: string) => {
    const user: User | string = await userOfToken(access, token);
    if (typeof user === 'string') return `Could not authenticate while connecting to controller WebSocket: ${user}`;
    if (privilege && !allowed(access, user, privilege, path)) return `Permission denied (privilege ${privilege} is required)`;
    return undefined;
  };
  const refuse = (c: Context, refusal: string) =>
    upgraded(runtime, c, () => ({
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
    return socketStream(runtime, c, open, (message) => shown(message, scope));
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
  const shown = v3Messages(controller);
  app.get('/notifications', () => httpStream(controller.hub.listenController(), (message) => shown(message, 'controller')));
  app.get('/projects/:project_id/notifications', guard(access, 'Project.Audit'), (c) => {
    const project = controller.getProject(uuidParam(c, 'project_id'));
    return httpStream(controller.hub.listenProject(project.id), (message) => shown(message, 'project'));
  });
  return app;
}
