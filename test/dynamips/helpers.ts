/** A daemon with Dynamips and the test images in its IOS folder, plus small helpers shared by the Dynamips tests. */
import { readdirSync, readFileSync, readlinkSync } from 'node:fs';
import type { Test } from 'tap';
import WebSocket from 'ws';
import { type DaemonProcess, withDaemon, withProject } from '../helpers/daemon.ts';
import { DYNAMIPS, testImages } from './images.ts';

export type Notification = { action: string; event: Record<string, unknown> };

export type DynamipsFixture = {
  daemon: DaemonProcess;
  projectId: string;
  base: string;
  events: Notification[];
};

/** Starts an agent using the shared Dynamips build, uploads the test images through the API, opens a project. */
export async function dynamipsFixture(t: Test, args: string[] = []): Promise<DynamipsFixture> {
  const daemon = await withDaemon(t, { args: ['--dynamips-path', DYNAMIPS, ...args] });
  for (const image of Object.values(testImages())) {
    const response = await daemon.api(`/v2/compute/dynamips/images/${image.name}`, { method: 'POST', body: readFileSync(image.file) });
    if (response.status !== 204) throw new Error(`upload of ${image.name}: ${response.status} ${await response.text()}`);
  }
  const { id: projectId } = await withProject(t, daemon, 'dynamips');
  const events: Notification[] = [];
  const ws = new WebSocket(`${daemon.url.replace('http', 'ws')}/v2/compute/notifications/ws`);
  ws.on('message', (data) => events.push(JSON.parse(String(data))));
  await new Promise((resolve, reject) => ws.once('open', resolve).once('error', reject));
  t.teardown(() => ws.close());
  return { daemon, projectId, base: `/v2/compute/projects/${projectId}/dynamips/nodes`, events };
}

/** Pids of running dynamips processes whose working directory is `dir`. */
export function dynamipsIn(dir: string): number[] {
  return readdirSync('/proc').filter((p) => /^\d+$/.test(p)).map(Number).filter((pid) => {
    try {
      return readlinkSync(`/proc/${pid}/cwd`) === dir && readFileSync(`/proc/${pid}/cmdline`, 'latin1').includes('dynamips');
    } catch {
      return false;
    }
  });
}
