/** Shared steps of the controller integration tests: a project with linked VPCS nodes driven through /v2. */
import { post } from '../helpers/daemon.ts';
import type { DaemonProcess } from '../helpers/daemon.ts';
import { TelnetClient } from '../helpers/telnet.ts';
import { ping, setIp } from '../helpers/vpcs-console.ts';

export { eventually } from '../helpers/eventually.ts';

export const VPCS_TEMPLATE = '19021f99-e36f-394d-b4a1-8aaa902ab9cc';

export async function createProject(d: DaemonProcess, name: string): Promise<string> {
  return (await d.json('/v2/projects', { ...post({ name }), expect: 201 })).project_id;
}

export async function addVpcs(d: DaemonProcess, projectId: string, computeId: string, x = 0): Promise<any> {
  return d.json(`/v2/projects/${projectId}/templates/${VPCS_TEMPLATE}`, { ...post({ x, y: 0, compute_id: computeId }), expect: 201 });
}

export async function link(d: DaemonProcess, projectId: string, a: string, b: string): Promise<any> {
  const ends = [a, b].map((node_id) => ({ node_id, adapter_number: 0, port_number: 0 }));
  return d.json(`/v2/projects/${projectId}/links`, { ...post({ nodes: ends }), expect: 201 });
}

/** Gives both PCs addresses on their consoles and pings from the first; returns the ping output. */
export async function pingAcross(consoles: Array<{ host: string; port: number }>): Promise<string> {
  const [a, b] = await Promise.all(consoles.map((c) => TelnetClient.connect(c.port, c.host)));
  try {
    await Promise.all([setIp(a, '10.0.0.1'), setIp(b, '10.0.0.2')]);
    return await ping(a, '10.0.0.2');
  } finally {
    a.close();
    b.close();
  }
}
