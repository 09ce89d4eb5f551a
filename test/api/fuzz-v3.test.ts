/**
 * Bad-input fuzz of the GNS3 3.0 routes (test/api/conformance/routes-v3.ts) on a real controller-mode daemon: random and
 * mutated bodies, paths, methods and headers, with a valid token or Basic credentials most of the time and a missing,
 * garbled or oversized one otherwise. Must hold: no 5xx, no dropped connection, the daemon alive.
 * Size: PATCHBAY_FUZZ_RUNS (default 600; `PATCHBAY_FULL=1` → 5000); seed: PATCHBAY_FUZZ_SEED.
 */
import t from 'tap';
import fc from 'fast-check';
import { VPCS_083, withDaemon } from '../helpers/daemon.ts';
import { V3_ROUTES } from './conformance/routes-v3.ts';
import { bearer, login } from '../v3/helpers.ts';
import { fuzzRequest, type FuzzIds } from './fuzz-requests.ts';

const RUNS = Number(process.env.PATCHBAY_FUZZ_RUNS ?? (process.env.PATCHBAY_FULL ? 5000 : 600));
const SEED = Number(process.env.PATCHBAY_FUZZ_SEED ?? Date.now() % 2 ** 31);

t.setTimeout(600_000);

t.test(`fuzz /v3 with ${RUNS} requests (seed ${SEED})`, async (t) => {
  const daemon = await withDaemon(t, { mode: 'controller', args: ['--vpcs-path', VPCS_083, '--user', 'gns3', '--password', 'fuzz'] });
  const token = await login(daemon);
  const api = bearer(daemon, token);
  const project = (await api('POST', '/v3/projects', { name: 'fuzz' }, 201)).project_id;
  const node = (await api('POST', `/v3/projects/${project}/nodes`, { name: 'F', node_type: 'vpcs', compute_id: 'local' }, 201)).node_id;
  const other = (await api('POST', `/v3/projects/${project}/nodes`, { name: 'G', node_type: 'vpcs', compute_id: 'local' }, 201)).node_id;
  const link = (await api('POST', `/v3/projects/${project}/links`, { nodes: [node, other].map((node_id) => ({ node_id, adapter_number: 0, port_number: 0 })) }, 201)).link_id;
  const user = (await api('POST', '/v3/access/users', { username: 'fuzzer', password: 'password1' }, 201)).user_id;
  const roles = await api('GET', '/v3/access/roles', undefined, 200);
  const pool = (await api('POST', '/v3/pools', { name: 'fuzz' }, 201)).resource_pool_id;
  const ids: FuzzIds = {
    project_id: [project], node_id: [node], node_a: [node], node_b: [other], link_id: [link], user_id: [user], role_id: roles.map((r: any) => r.role_id),
    pool_id: [pool], compute_id: ['local'], template_id: ['52136454-1f50-590a-94e4-816bd02d1062'], path: ['README.txt', 'a.txt'],
  };
  const basic = `Basic ${Buffer.from('gns3:fuzz').toString('base64')}`;
  const credentials = fc.oneof(
    { weight: 8, arbitrary: fc.constant('valid') },
    { weight: 1, arbitrary: fc.constantFrom('', 'Bearer ', `Bearer ${token.slice(0, -3)}abc`, `Bearer ${'x'.repeat(3000)}`, 'Basic Og==', 'Basic %%%', `Bearer ${token}.${token}`) },
  );
  const targets = V3_ROUTES.filter((r) => r.path !== '/v3/shutdown');
  const statuses = new Map<number, number>();
  const failures: string[] = [];
  await fc.assert(
    fc.asyncProperty(fuzzRequest(ids, targets, '/v3'), credentials, async (request, auth) => {
      const headers = { ...request.headers };
      const authorization = auth === 'valid' ? (request.path.startsWith('/v3/compute') ? basic : `Bearer ${token}`) : auth;
      if (authorization) headers.authorization = authorization;
      let status = 0;
      try {
        const response = await fetch(`${daemon.url}${request.path}`, { method: request.method, body: request.body, headers, signal: AbortSignal.timeout(20_000) });
        status = response.status;
        // Streams (notifications, captures) stay open: their headers are the answer.
        await response.body?.cancel();
      } catch (err) {
        failures.push(`${request.method} ${request.path} → ${String((err as Error).cause ?? err)}`);
        return false;
      }
      statuses.set(status, (statuses.get(status) ?? 0) + 1);
      if (status >= 500) failures.push(`${request.method} ${request.path} → ${status}`);
      return status < 500;
    }),
    { numRuns: RUNS, seed: SEED, endOnFailure: true },
  ).catch((err: Error) => t.fail(`fuzz found a failing request (seed ${SEED}): ${err.message.slice(0, 2000)}`));
  t.same(failures, [], 'no 5xx and no dropped connection');
  t.equal(daemon.child.exitCode, null, 'the daemon is alive');
  t.equal((await daemon.api('/v3/version')).status, 200, 'and still answers');
  t.comment(JSON.stringify({ fuzz: 'v3-bad-input', runs: RUNS, seed: SEED, statuses: Object.fromEntries([...statuses].sort(([a], [b]) => a - b)) }));
});
