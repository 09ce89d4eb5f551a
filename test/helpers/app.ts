/**
 * The daemon in this test process, for request validation that needs no emulator: agent/daemon.ts wires it exactly as
 * the command line does (middleware, auth, every route tree), and requests go through Hono's `app.request()`, no socket.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startDaemon, type Daemon } from '../../agent/daemon.ts';
import { loadConfig } from '../../src/config/agent-config.ts';
import { createLogger } from '../../src/log/logger.ts';
import { client, natNetwork, portRanges, type DaemonProcess, type Teardown } from './daemon.ts';

/** `api` and `json` as on a DaemonProcess, answered in-process. */
export type InProcessDaemon = Pick<DaemonProcess, 'api' | 'json'> & {
  daemon: Daemon;
  /** Error records the daemon logged (an internal error, a failed state write): bad input must add none. */
  errors: string[];
};

/**
 * An in-process daemon on a folder of its own and this test process's port slot and NAT names, closed (and the folder
 * removed) when `t` ends. `settings` are configuration keys as on the command line, e.g. `{ vpcs_path: VPCS_083 }`.
 *
 * @example const { api, json } = await withApp(t, 'agent', { user: 'admin', password: 's3cret' });
 */
export async function withApp(t: Teardown, mode: 'agent' | 'controller' = 'agent', settings: Record<string, string> = {}): Promise<InProcessDaemon> {
  const root = mkdtempSync(join(tmpdir(), 'patchbay-app-'));
  t.teardown(() => rmSync(root, { recursive: true, force: true }));
  const ranges = portRanges();
  const nat = natNetwork();
  const config = loadConfig({
    port: '0',
    projects_dir: join(root, 'projects'),
    images_dir: join(root, 'images'),
    console_ports: ranges.console,
    udp_ports: ranges.udp,
    nat_interface: '',
    nat_bridge: nat.bridge,
    nat_subnet: nat.subnet,
    ...settings,
  }, {});
  const errors: string[] = [];
  const daemon = await startDaemon(config, mode, createLogger({ level: 'error', format: 'json', write: (line) => errors.push(line) }));
  t.teardown(() => daemon.close());
  return { daemon, errors, ...client(async (path, init) => daemon.app.request(`http://localhost${path}`, init)) };
}
