/** Wires one patchbay process: relay pool, compute, HTTP app, listener. Used by the CLI and by tests. */
import { readFileSync } from 'node:fs';
import type { Hono } from 'hono';
import { createApp } from '../src/api/app.ts';
import { computeRoutes } from '../src/api/compute/index.ts';
import { controllerRoutes } from '../src/api/controller/index.ts';
import type { Controller } from '../src/controller/controller.ts';
import { register } from '../src/controller/register.ts';
import { createController, startController } from '../src/controller/setup.ts';
import type { AgentConfig } from '../src/config/agent-config.ts';
import { Compute } from '../src/compute/compute.ts';
import { builtinDrivers } from '../src/compute/builtin/drivers.ts';
import { vpcsDriver } from '../src/compute/vpcs/driver.ts';
import { qemuDriver } from '../src/compute/qemu/driver.ts';
import { RelayPool } from '../src/relay/pool.ts';
import { currentRuntime } from '../src/runtime/index.ts';
import type { Runtime } from '../src/runtime/types.ts';

export const PATCHBAY_VERSION = '0.1.0';

export type Daemon = {
  url: string;
  port: number;
  compute: Compute;
  app: Hono;
  runtime: Runtime;
  /** Set in controller mode. */
  controller?: Controller;
  /** Stops every emulator, frees every port, closes the relay and the listener. */
  close(): Promise<void>;
};

export async function startDaemon(config: AgentConfig, mode: 'agent' | 'controller' = 'agent'): Promise<Daemon> {
  const runtime = await currentRuntime();
  const relay = await RelayPool.start({ workers: config.relay_workers });
  const compute = new Compute({
    consoleHost: config.host,
    projectsDir: config.projects_dir,
    consolePorts: config.console_ports,
    udpPorts: config.udp_ports,
    binaries: { vpcs: config.vpcs_path, qemu: config.qemu_path },
    local: mode === 'controller',
    relay,
    drivers: [vpcsDriver(), qemuDriver({ imagesDir: config.images_dir }), ...builtinDrivers()],
  });
  const controller = mode === 'controller' ? createController(config) : undefined;
  const app = createApp({
    serverHeader: `patchbay/${PATCHBAY_VERSION} GNS3/${config.gns3_version}`,
    auth: config.user !== undefined ? { user: config.user, password: config.password ?? '' } : undefined,
    mounts: [
      ['/v2/compute', computeRoutes(compute, runtime, { version: config.gns3_version, local: false })],
      ...(controller ? [['/v2', controllerRoutes(controller, runtime)] as [string, Hono]] : []),
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
    throw err;
  }
  const scheme = tls ? 'https' : 'http';
  if (controller) await startController(controller, { app, notifier: compute.notifier, config, port: listening.port, tls: !!tls });
  const unregister = config.controller
    ? register({ controller: config.controller, computeId: config.compute_id, name: config.name, protocol: scheme, host: config.host, port: listening.port, user: config.user, password: config.password })
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
    close: () =>
      (closing ??= (async () => {
        unregister?.();
        await controller?.shutdown();
        await listening.close();
        await compute.shutdown();
      })()),
  };
}
