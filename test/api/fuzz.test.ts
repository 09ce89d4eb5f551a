/**
 * Bad-input fuzz: thousands of random and mutated requests (bodies, paths, methods, headers) against every spec route
 * of a real controller-mode daemon running VPCS 0.8.3. Must hold: no 5xx, no dropped connection, the daemon alive,
 * and after deleting every project no reserved port and no emulator left. RSS is reported, not asserted.
 * Size: PATCHBAY_FUZZ_RUNS (default 1500; `PATCHBAY_FULL=1` → 10 000); seed: PATCHBAY_FUZZ_SEED.
 */
import t from 'tap';
import fc from 'fast-check';
import { VPCS_083, withDaemon } from '../helpers/daemon.ts';
import { deleteEverything, emulatorPids, reservedPorts, rssKiB } from '../helpers/leftovers.ts';
import { fuzzRequest, type FuzzIds, type FuzzRequest } from './fuzz-requests.ts';

const RUNS = Number(process.env.PATCHBAY_FUZZ_RUNS ?? (process.env.PATCHBAY_FULL ? 10_000 : 1500));
const SEED = Number(process.env.PATCHBAY_FUZZ_SEED ?? Date.now() % 2 ** 31);

t.setTimeout(600_000);

type Outcome = { status: number; error?: string };

/** Sends one request; a stream that stays open after its headers counts as answered. */
async function send(base: string, request: FuzzRequest): Promise<Outcome> {
  const abort = new AbortController();
  const headerTimer = setTimeout(() => abort.abort(), 20_000);
  let response: Response;
  try {
    response = await fetch(`${base}${request.path}`, { method: request.method, body: request.body, headers: request.headers, signal: abort.signal });
  } catch (err) {
    return { status: 0, error: String((err as Error).cause ?? err) };
  } finally {
    clearTimeout(headerTimer);
  }
  const bodyTimer = setTimeout(() => abort.abort(), 1000);
  await response.arrayBuffer().catch(() => undefined);
  clearTimeout(bodyTimer);
  return { status: response.status };
}

t.test(`fuzz ${RUNS} requests (seed ${SEED})`, async (t) => {
  const daemon = await withDaemon(t, { mode: 'controller', args: ['--vpcs-path', VPCS_083] });
  const pid = daemon.child.pid!;
  const emptyPorts = await reservedPorts(daemon);

  // Real objects for the paths to point at, so many requests get past "not found".
  const computeProject = (await daemon.json('/v2/compute/projects', { method: 'POST', body: JSON.stringify({ name: 'fuzz' }), expect: 201 })).project_id;
  const computeNode = (await daemon.json(`/v2/compute/projects/${computeProject}/vpcs/nodes`, { method: 'POST', body: JSON.stringify({ name: 'F1' }), expect: 201 })).node_id;
  const project = (await daemon.json('/v2/projects', { method: 'POST', body: JSON.stringify({ name: 'fuzz' }), expect: 201 })).project_id;
  const nodeBody = JSON.stringify({ name: 'FC', node_type: 'vpcs', compute_id: 'local' });
  const nodeA = (await daemon.json(`/v2/projects/${project}/nodes`, { method: 'POST', body: nodeBody, expect: 201 })).node_id;
  const nodeB = (await daemon.json(`/v2/projects/${project}/nodes`, { method: 'POST', body: nodeBody, expect: 201 })).node_id;
  const link = (await daemon.json(`/v2/projects/${project}/links`, {
    method: 'POST',
    body: JSON.stringify({ nodes: [nodeA, nodeB].map((node_id) => ({ node_id, adapter_number: 0, port_number: 0 })) }),
    expect: 201,
  })).link_id;
  const ids: FuzzIds = {
    project_id: [computeProject, project],
    node_id: [computeNode, nodeA, nodeB],
    link_id: [link],
    compute_id: ['local'],
    template_id: ['19021f99-e36f-394d-b4a1-8aaa902ab9cc'],
    adapter_number: ['0', '1'],
    port_number: ['0', '1'],
    path: ['startup.vpc', 'a.txt', 'project-files'],
    filename: ['x.img'],
    symbol_id: [':/symbols/classic/router.svg'],
    emulator: ['qemu', 'vpcs'],
    action: ['binaries', 'images'],
  };
  const rssBefore = rssKiB(pid);

  const statuses = new Map<number, number>();
  const failures: Array<{ request: FuzzRequest; outcome: Outcome }> = [];
  const started = performance.now();
  await fc.assert(
    fc.asyncProperty(fuzzRequest(ids), async (request) => {
      const outcome = await send(daemon.url, request);
      statuses.set(outcome.status, (statuses.get(outcome.status) ?? 0) + 1);
      const ok = outcome.status >= 100 && outcome.status < 500;
      if (!ok) failures.push({ request, outcome });
      return ok;
    }),
    { numRuns: RUNS, seed: SEED, endOnFailure: true },
  ).catch((err: Error) => t.fail(`fuzz found a failing request (seed ${SEED}): ${err.message.slice(0, 2000)}`));
  const elapsed = (performance.now() - started) / 1000;

  t.same(failures.map((f) => `${f.request.method} ${f.request.path} → ${f.outcome.status} ${f.outcome.error ?? ''}`), [], 'no 5xx and no dropped connection');
  t.equal(daemon.child.exitCode, null, 'the daemon is alive');
  t.equal((await daemon.api('/v2/version')).status, 200, 'and still answers');

  const rssAfterFuzz = rssKiB(pid);
  await deleteEverything(daemon, true);
  t.same(await reservedPorts(daemon), emptyPorts, 'no reserved port once every project is deleted');
  t.same(emulatorPids(pid), [], 'no emulator process left');
  const rssEnd = rssKiB(pid);
  const summary = {
    fuzz: 'bad-input', runs: RUNS, seed: SEED, seconds: +elapsed.toFixed(1),
    statuses: Object.fromEntries([...statuses].sort(([a], [b]) => a - b)),
    rss_kib: { before: rssBefore, after_fuzz: rssAfterFuzz, after_cleanup: rssEnd },
  };
  t.comment(JSON.stringify(summary));
});
