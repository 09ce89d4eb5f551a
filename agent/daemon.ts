/** Wires one patchbay process: relay pool, compute, HTTP app, listener. Used by the CLI and by tests. */
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { basename, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Hono } from 'hono';
import { createApp } from '../src/api/app.ts';
import { InFlight } from '../src/api/middleware/in-flight.ts';
import { computeRoutes, inProcessCompute } from '../src/api/compute/index.ts';
import { webUiRoutes } from '../src/api/web/routes.ts';
import { v3ComputeRoutes, type ComputeUsage } from '../src/api/v3/compute.ts';
import { apiVersions } from '../src/controller/version.ts';
import type { Controller } from '../src/controller/controller.ts';
import type { AgentConfig } from '../src/config/agent-config.ts';
import { Compute } from '../src/compute/compute.ts';
import { reapPrevious } from '../src/compute/reaper.ts';
import { StateRecorder } from '../src/compute/state-file.ts';
import { HostNetwork } from '../src/hostnet/host-network.ts';
import { parseIpv4Subnet } from '../src/hostnet/ipv4-subnet.ts';
import { builtinDrivers } from '../src/compute/builtin/drivers.ts';
import { vpcsDriver } from '../src/compute/vpcs/driver.ts';
import { qemuDriver } from '../src/compute/qemu/driver.ts';
import { dynamipsDriver } from '../src/compute/dynamips/driver.ts';
import { dockerDriver } from '../src/compute/docker/driver.ts';
import { reapContainers } from '../src/compute/docker/reaper.ts';
import { accessLog } from '../src/api/middleware/access-log.ts';
import { createLogger, type Logger } from '../src/log/logger.ts';
import { httpMetrics } from '../src/api/middleware/http-metrics.ts';
import { nodeMetrics } from '../src/metrics/node-metrics.ts';
import { Registry } from '../src/metrics/registry.ts';
import { meteredRelay } from '../src/metrics/relay-metrics.ts';
import { metricsRoutes } from '../src/api/metrics-route.ts';
import { openApiRoutes } from '../src/api/openapi/routes.ts';
import { RelayPool, defaultRelayWorkers } from '../src/relay/pool.ts';
import { currentRuntime } from '../src/runtime/index.ts';
import type { Runtime } from '../src/runtime/types.ts';
import { PATCHBAY_VERSION } from './version.ts';

/** Where `npm run build` puts patchbay's web UI: dist/web, a sibling of this file's compiled copy in dist/agent. */
const OWN_WEB_UI = fileURLToPath(new URL(import.meta.url.endsWith('.js') ? '../web' : '../dist/web', import.meta.url));

/** The controller's modules, loaded in controller mode only: an agent never loads them. */
async function loadControllerCode() {
  const [{ createController, startController }, { controllerRoutes }, { v3ControllerRoutes }, { openAccess }] = await Promise.all([
    import('../src/controller/setup.ts'),
    import('../src/api/controller/index.ts'),
    import('../src/api/v3/controller/index.ts'),
    import('../src/access/index.ts'),
  ]);
  return { createController, startController, controllerRoutes, v3ControllerRoutes, openAccess };
}

/** How long a shutdown waits for requests in flight before stopping emulators anyway. */
const DRAIN_MS = 5000;

export type Daemon = {
  url: string;
  port: number;
  compute: Compute;
  app: Hono;
  runtime: Runtime;
  /** Set in controller mode. */
  controller?: Controller;
  /** Metrics served at /metrics. */
  metrics: Registry;
  /** The relay worker pool itself (the compute sees it through the metrics wrapper); tests inject faults here. */
  relayPool: RelayPool;
  /** Stops every emulator, frees every port, closes the relay and the listener. */
  close(): Promise<void>;
};

export async function startDaemon(
  config: AgentConfig,
  mode: 'agent' | 'controller' = 'agent',
  log: Logger = createLogger({ level: config.log_level }),
): Promise<Daemon> {
  const runtime = await currentRuntime();
  // Before anything binds a port: emulators a crashed agent left behind still hold theirs.
  const reaped = await reapPrevious(config.state_dir);
  if (reaped.recorded > 0) {
    log.info('reaped emulators left by a previous agent', {
      recorded: reaped.recorded,
      killed: reaped.killed.map((p) => p.pid),
      survivors: reaped.survivors.map((p) => p.pid),
    });
  }
  if (reaped.survivors.length > 0) log.warn('some leftover emulators could not be killed', { pids: reaped.survivors.map((p) => p.pid) });
  if (reaped.host.removed.length > 0) log.info('removed host objects left by a previous agent', { objects: reaped.host.removed });
  if (reaped.host.failed.length > 0) log.warn('some host objects left by a previous agent could not be removed', { failed: reaped.host.failed });
  const docker = dockerDriver({ socketPath: config.docker_socket, busybox: config.busybox_path, stateDir: config.state_dir });
  // Containers of a crashed agent on this state directory (labelled with it); none when Docker is not running.
  try {
    const removed = await reapContainers(docker, config.state_dir);
    if (removed.length > 0) log.info('removed containers left by a previous agent', { containers: removed });
  } catch (err) {
    log.debug('no Docker containers reaped', { err });
  }
  const metrics = new Registry();
  const workers = config.relay_workers ?? defaultRelayWorkers();
  const relayPool = await RelayPool.start({ workers, io: config.relay_io });
  // Workers start with the first bridge or fabric that needs one, so their I/O is known only then.
  relayPool.onWorkerStart(({ threadId, io, fallback, workers: running }) => {
    if (fallback) log.warn(`relay uses its dgram I/O: ${fallback}`);
    log.info('relay worker started', { thread: threadId, io, workers: running, max_workers: workers });
  });
  const relay = meteredRelay(relayPool, metrics, { configuredWorkers: workers });
  // The state recorder starts once the compute exists; nothing creates a host object before requests arrive.
  let recorder: StateRecorder | undefined;
  const hostNetwork = new HostNetwork(
    {
      natInterface: config.nat_interface,
      natBridge: config.nat_bridge,
      natSubnet: parseIpv4Subnet(config.nat_subnet),
      dhcpServer: config.dnsmasq_path,
      stateDir: config.state_dir,
    },
    {
      persist: async (objects) => recorder?.setHostObjects(objects),
      warn: (message) => {
        log.warn(message);
        compute.notify('log.warning', { message });
      },
    },
  );
  const compute: Compute = new Compute({
    consoleHost: config.host,
    projectsDir: config.projects_dir,
    consolePorts: config.console_ports,
    udpPorts: config.udp_ports,
    binaries: { vpcs: config.vpcs_path, qemu: config.qemu_path, dynamips: config.dynamips_path },
    local: mode === 'controller',
    relay,
    hostNetwork,
    drivers: [vpcsDriver(), qemuDriver({ imagesDir: config.images_dir }), dynamipsDriver({ imagesDir: config.images_dir }), docker, ...builtinDrivers()],
  });
  nodeMetrics(compute, metrics);
  // A node's directory ends with its id: a lookup by id, not a scan (and copy) of every node at every spawn.
  const byDirectory = (dir: string) => {
    const node = compute.nodeWithId(basename(dir));
    return node?.directory === dir ? node : undefined;
  };
  recorder = await StateRecorder.start({
    dir: config.state_dir,
    ranges: [config.console_ports, config.udp_ports],
    nodeOf: (proc) => {
      const node = byDirectory(proc.cwd);
      return node ? { nodeId: node.id, projectId: node.project.id } : null;
    },
  });
  recorder.onError((err) => log.error('cannot write the state file', { file: recorder!.file, err }));
  const versions = apiVersions(config.gns3_version);
  const controllerCode = mode === 'controller' ? await loadControllerCode() : undefined;
  const controller = controllerCode?.createController({ ...config, gns3_version: versions.v2 });
  // v3 users, roles, ACL and the token secret live with the rest of the controller state, beside the projects.
  const access = controllerCode
    ? await controllerCode.openAccess(dirname(config.projects_dir), { adminUsername: config.default_admin_username, adminPassword: config.default_admin_password })
    : undefined;
  if (access && (await access.store.hasPassword('admin', 'admin'))) {
    log.warn('the /v3 super admin still has the default password admin/admin: change it (PUT /v3/access/users/me)');
  }
  const inFlight = new InFlight();
  const onInternalError = (err: Error) => log.error('internal error', { err });
  const auth = config.user !== undefined ? { user: config.user, password: config.password ?? '' } : undefined;
  // /v3/compute always wants credentials; like 3.0 without compute_password, make up a password nobody knows.
  const computeCredentials = auth ?? { user: 'gns3', password: randomBytes(12).toString('base64url') };
  if (!auth) log.warn('no --user/--password: /v3/compute (GNS3 3.x controllers) is unusable until they are set');
  const usage: ComputeUsage = { controllerHost: null };
  const v2Compute = computeRoutes(compute, runtime, { version: versions.v2, local: false });
  // The compute routes called in-process, by the controller and by the /v3/compute translation.
  const local = inProcessCompute(v2Compute, onInternalError);
  const app: Hono = createApp({
    serverHeader: `patchbay/${PATCHBAY_VERSION} GNS3/${versions.v2}`,
    auth,
    corsOrigins: config.cors_origins,
    before: [httpMetrics(metrics), accessLog(log), inFlight.middleware()],
    onInternalError,
    mounts: [
      ['/v2/compute', v2Compute],
      ['/v3/compute', v3ComputeRoutes({ compute, v2: local, runtime, version: versions.v3, credentials: computeCredentials, usage })],
      ...(controller ? [['/v2', controllerCode!.controllerRoutes(controller, runtime)] as [string, Hono]] : []),
      ...(controller && access ? [['/v3', controllerCode!.v3ControllerRoutes(controller, access, runtime, { version: versions.v3, usage, imagesDir: config.images_dir })] as [string, Hono]] : []),
      ['/', metricsRoutes(metrics)],
      ['/', openApiRoutes(() => app.routes, {
        title: 'patchbay',
        version: PATCHBAY_VERSION,
        description: `GNS3 v2.2 and v3.0 compatible ${mode === 'controller' ? 'controller and compute' : 'compute'} API (reports GNS3 ${versions.v2} on /v2, ${versions.v3} on /v3).`,
        nodeBodies: Object.fromEntries([...compute.drivers.values()].map((d) => [d.type, { create: d.createSchema, update: d.updateSchema }])),
        auth: auth !== undefined,
      })],
      ...(controller ? [['/', webUiRoutes({ ownUiDir: OWN_WEB_UI, gns3WebUiDir: config.gns3_web_ui })] as [string, Hono]] : []),
    ],
  });
  const tls = config.cert && config.key
    ? { cert: readFileSync(config.cert, 'utf8'), key: readFileSync(config.key, 'utf8') }
    : undefined;
  let listening;
  try {
    listening = await runtime.listen(app, { hostname: config.host, port: config.port, tls });
  } catch (err) {
    await compute.shutdown();
    await recorder.close();
    throw err;
  }
  const scheme = tls ? 'https' : 'http';
  if (controller) {
    await controllerCode!.startController(controller, { compute: local, notifier: compute.notifier, config, port: listening.port, tls: !!tls });
  }
  // Registration code (the controller's HTTP client) loads only for an agent that registers with a controller.
  const unregister = config.controller
    ? (await import('../src/registration/register.ts')).register({ controller: config.controller, computeId: config.compute_id, name: config.name, protocol: scheme, host: config.host, port: listening.port, user: config.user, password: config.password })
    : undefined;
  const host = config.host.includes(':') ? `[${config.host}]` : config.host;
  let closing: Promise<void> | null = null;
  return {
    url: `${scheme}://${host}:${listening.port}`,
    port: listening.port,
    compute,
    app,
    runtime,
    controller,
    metrics,
    relayPool,
    close: () =>
      (closing ??= (async () => {
        unregister?.();
        // New requests are refused first; those in flight finish (bounded). The controller then stops its projects
        // through in-process calls to the local compute, which sit below the drain, and only then does the compute
        // stop whatever is left.
        const unfinished = await inFlight.drain(DRAIN_MS);
        if (unfinished > 0) log.warn('stopping with requests still in flight', { requests: unfinished });
        await controller?.shutdown();
        await listening.close();
        await compute.shutdown();
        await recorder.close();
      })()),
  };
}
