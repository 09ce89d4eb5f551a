/** The `docker` node type: schemas, the Docker Engine client and the per-agent container resources (node code loads with the first node). */
import { DockerCreate, DockerUpdate } from './schemas.ts';
import type { NodeDriver } from '../drivers.ts';
import type { NodeInit } from '../node.ts';
import { DockerEngine } from './engine.ts';
import { prepareResources, type Resources } from './resources.ts';
import { join } from 'node:path';

export type DockerDriverOptions = {
  socketPath: string;
  /** Host busybox bind-mounted into containers; must be statically linked. */
  busybox: string;
  /** The agent's state directory: containers are labelled with it, resources are written under it. */
  stateDir: string;
};

export type DockerDriver = NodeDriver & { readonly engine: DockerEngine; readonly resourcesDir: string };

export function dockerDriver(options: DockerDriverOptions): DockerDriver {
  const engine = new DockerEngine(options.socketPath);
  const resourcesDir = join(options.stateDir, 'docker');
  let resources: Promise<Resources> | null = null;
  const context = {
    engine,
    stateDir: options.stateDir,
    // Prepared on first use (the agent starts even where Docker nodes cannot run); retried after a failure.
    resources: () => {
      resources ??= prepareResources(resourcesDir, options.busybox).catch((err) => {
        resources = null;
        throw err;
      });
      return resources;
    },
  };
  return {
    type: 'docker',
    engine,
    resourcesDir,
    createSchema: DockerCreate,
    updateSchema: DockerUpdate,
    async create(init: NodeInit, fields: Record<string, unknown>) {
      const { DockerNode } = await import('./docker-node.ts');
      return DockerNode.create({ ...init, docker: context }, fields as DockerCreate);
    },
  };
}
