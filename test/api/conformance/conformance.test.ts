/**
 * Table-driven conformance: every compute and controller route of the spec (routes.ts) against a real controller-mode
 * daemon, checking status codes, required response keys and documented defaults. Routes the daemon does not serve
 * yet are listed in KNOWN_MISSING and reported as todo, so a route that disappears fails the suite.
 */
import t from 'tap';
import { VPCS_083, withDaemon } from '../../helpers/daemon.ts';
import { ALL_ROUTES, routeKey } from './routes.ts';
import { DYNAMIPS } from '../../dynamips/images.ts';
import { FIXTURE_NODES, Walker } from './walker.ts';

/** Spec routes patchbay does not serve (see docs/conformance.md); each entry says why. */
const KNOWN_MISSING: Record<string, string> = {};

t.setTimeout(120_000);

t.test('route table sanity', async (t) => {
  const keys = ALL_ROUTES.map(routeKey);
  t.same(keys.filter((k, i) => keys.indexOf(k) !== i), [], 'no route listed twice');
  for (const key of Object.keys(KNOWN_MISSING)) t.ok(keys.includes(key), `known gap "${key}" is a spec route`);
});

t.test('every spec route against a controller-mode daemon', async (t) => {
  const daemon = await withDaemon(t, { mode: 'controller', args: ['--vpcs-path', VPCS_083, '--dynamips-path', DYNAMIPS] });
  const walker = new Walker(daemon.url);
  await walker.setup(FIXTURE_NODES);
  for (const route of ALL_ROUTES) {
    const key = routeKey(route);
    const result = await walker.run(route);
    const gap = KNOWN_MISSING[key];
    t.ok(result.implemented, `${key} is implemented`, gap ? { todo: gap } : {});
    if (result.checked && result.implemented) t.same(result.problems, [], `${key} answers as the spec says`);
  }
  t.equal(daemon.child.exitCode, null, 'the daemon survived the walk');
});
