/** The v3 conformance table: every row of routes-v3.ts is served and answers as the v3 spec says. */
import t from 'tap';
import { VPCS_083, withDaemon } from '../../helpers/daemon.ts';
import { V3_ROUTES } from './routes-v3.ts';
import { V3Walker } from './walker-v3.ts';

t.test('v3 routes conform', async (t) => {
  const daemon = await withDaemon(t, { mode: 'controller', args: ['--vpcs-path', VPCS_083, '--user', 'gns3', '--password', 'conformance'] });
  const walker = new V3Walker(daemon.url, 'gns3', 'conformance');
  await walker.setup();
  for (const route of V3_ROUTES) {
    const result = await walker.run(route);
    t.ok(result.implemented, `${route.method} ${route.path} is served`);
    if (result.checked) t.same(result.problems, [], `${route.method} ${route.path} conforms`);
  }
});
