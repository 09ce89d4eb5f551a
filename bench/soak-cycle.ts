/**
 * One soak cycle against an agent: create two VPCS, link them with UDP NIOs, start, stop, delete. Shared by
 * `npm run bench:soak` (1 000 cycles) and the CI-sized test/compute/soak.test.ts (~50), which check that nothing grows.
 */
import { randomUUID } from 'node:crypto';
import { readdirSync } from 'node:fs';
import { expectStatus } from './lib/http.ts';

export async function vpcsPairCycle(url: string, projectId: string, i: number): Promise<void> {
  const api = (path: string, method: string, body: unknown, status: number) => expectStatus(`${url}/v2/compute/projects/${projectId}${path}`, method, body, status);
  const ids = [randomUUID(), randomUUID()];
  for (const [k, id] of ids.entries()) await api('/vpcs/nodes', 'POST', { name: `S${i}-${k}`, node_id: id, startup_script: 'set pcname %h\n' }, 201);
  const ports = [];
  for (let k = 0; k < 2; k++) ports.push(JSON.parse((await api('/ports/udp', 'POST', {}, 201)).text).udp_port as number);
  for (const [k, id] of ids.entries()) {
    await api(`/vpcs/nodes/${id}/adapters/0/ports/0/nio`, 'POST', { type: 'nio_udp', lport: ports[k], rhost: '127.0.0.1', rport: ports[1 - k] }, 201);
  }
  for (const id of ids) await api(`/vpcs/nodes/${id}/start`, 'POST', {}, 200);
  for (const id of ids) await api(`/vpcs/nodes/${id}/stop`, 'POST', {}, 204);
  for (const id of ids) await api(`/vpcs/nodes/${id}`, 'DELETE', undefined, 204);
}

/** Files and directories below `dir` (node directories must not pile up). */
export function countEntries(dir: string): number {
  let count = 0;
  const visit = (d: string) => {
    for (const entry of readdirSync(d, { withFileTypes: true })) {
      count += 1;
      if (entry.isDirectory()) visit(`${d}/${entry.name}`);
    }
  };
  visit(dir);
  return count;
}

/** Least-squares slope of y over x. */
export function slope(points: Array<[number, number]>): number {
  const n = points.length;
  const mx = points.reduce((s, [x]) => s + x, 0) / n;
  const my = points.reduce((s, [, y]) => s + y, 0) / n;
  const num = points.reduce((s, [x, y]) => s + (x - mx) * (y - my), 0);
  const den = points.reduce((s, [x]) => s + (x - mx) ** 2, 0);
  return den === 0 ? 0 : num / den;
}
