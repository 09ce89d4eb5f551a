/** The seed session (../shared/seeds/002): two VPCS linked through the compute API, pinging each other. */
import { randomUUID } from 'node:crypto';
import { execFileSync } from 'node:child_process';
import type { DaemonProcess } from './daemon.ts';
import { post } from './daemon.ts';
import { TelnetClient } from './telnet.ts';
import { ping, setIp } from './vpcs-console.ts';

export type SeedResult = {
  projectId: string;
  nodes: Array<{ node_id: string; console: number; command_line: string }>;
  udpPorts: number[];
  pingOutput: string;
  pids: number[];
};

/** Process ids of running emulators whose command line mentions `needle`. */
export function pidsMatching(needle: string): number[] {
  try {
    return execFileSync('pgrep', ['-f', '--', needle], { encoding: 'utf8' }).split('\n').filter(Boolean).map(Number);
  } catch {
    return [];
  }
}

/** Runs version → project → 2 nodes → 2 UDP ports → 2 NIOs → start → console ping, and returns what it saw. */
export async function runSeedSession(daemon: Pick<DaemonProcess, 'json'>): Promise<SeedResult> {
  const base = '/v2/compute';
  const version = await daemon.json(`${base}/version`, { expect: 200 });
  if (typeof version.version !== 'string') throw new Error('version missing');
  const projectId = randomUUID();
  await daemon.json(`${base}/projects`, { ...post({ name: 'seed', project_id: projectId }), expect: 201 });
  const nodes = [];
  for (const name of ['PC1', 'PC2']) {
    nodes.push(await daemon.json(`${base}/projects/${projectId}/vpcs/nodes`, { ...post({ name, startup_script: 'set pcname %h\n' }), expect: 201 }));
  }
  const udpPorts: number[] = [];
  for (let i = 0; i < 2; i++) {
    udpPorts.push((await daemon.json(`${base}/projects/${projectId}/ports/udp`, { ...post({}), expect: 201 })).udp_port);
  }
  for (const [i, node] of nodes.entries()) {
    await daemon.json(`${base}/projects/${projectId}/vpcs/nodes/${node.node_id}/adapters/0/ports/0/nio`, {
      ...post({ type: 'nio_udp', lport: udpPorts[i], rhost: '127.0.0.1', rport: udpPorts[1 - i] }),
      expect: 201,
    });
  }
  const started = [];
  for (const node of nodes) {
    started.push(await daemon.json(`${base}/projects/${projectId}/vpcs/nodes/${node.node_id}/start`, { ...post(), expect: 200 }));
  }
  const consoles = await Promise.all(started.map((node) => TelnetClient.connect(node.console)));
  try {
    await Promise.all([setIp(consoles[0]!, '10.0.0.1'), setIp(consoles[1]!, '10.0.0.2')]);
    const pingOutput = await ping(consoles[0]!, '10.0.0.2');
    const pids = started.flatMap((node) => pidsMatching(`-s ${node.command_line.split(' -s ')[1]?.split(' ')[0]} `));
    return { projectId, nodes: started, udpPorts, pingOutput, pids };
  } finally {
    for (const client of consoles) client.close();
  }
}
