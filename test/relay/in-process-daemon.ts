/**
 * A daemon in this test's own process (same wiring as the CLI), on the relay I/O under test, removed when `t` ends:
 * for tests that reach into its relay pool (a relay worker is a thread, so only its own process can crash or move it).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startDaemon } from '../../agent/daemon.ts';
import { loadConfig } from '../../src/config/agent-config.ts';
import { portRanges, VPCS_083 } from '../helpers/daemon.ts';
import type { Teardown } from '../helpers/daemon.ts';
import { RELAY_IO } from './helpers.ts';

export async function inProcessDaemon(t: Teardown, settings: Record<string, string> = {}) {
  const root = mkdtempSync(join(tmpdir(), 'patchbay-relay-'));
  const ranges = portRanges();
  const daemon = await startDaemon(loadConfig({
    port: '0',
    projects_dir: join(root, 'projects'),
    console_ports: ranges.console,
    udp_ports: ranges.udp,
    vpcs_path: VPCS_083,
    relay_io: RELAY_IO,
    log_level: 'error',
    ...settings,
  }, {}));
  t.teardown(async () => {
    await daemon.close();
    rmSync(root, { recursive: true, force: true });
  });
  return daemon;
}
