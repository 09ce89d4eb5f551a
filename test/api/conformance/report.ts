/**
 * `npm run conformance`: starts a controller-mode daemon, walks every spec route (see walker.ts), prints which routes
 * are implemented and which answers differ from the spec, and writes the table to docs/conformance.md.
 * `--no-write` only prints.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { ROOT, startDaemon, VPCS_083 } from '../../helpers/daemon.ts';
import { ALL_ROUTES } from './routes.ts';
import { DYNAMIPS } from '../../dynamips/images.ts';
import { FIXTURE_NODES, Walker, type RouteResult } from './walker.ts';
import { V3_ROUTES } from './routes-v3.ts';
import { V3Walker, type V3Result } from './walker-v3.ts';

const { values } = parseArgs({ options: { 'no-write': { type: 'boolean', default: false } } });

const daemon = await startDaemon({ mode: 'controller', args: ['--vpcs-path', VPCS_083, '--dynamips-path', DYNAMIPS] });
const results: RouteResult[] = [];
try {
  const walker = new Walker(daemon.url);
  await walker.setup(FIXTURE_NODES);
  for (const route of ALL_ROUTES) results.push(await walker.run(route));
} finally {
  await daemon.stop();
}

// The v3 routes, on a daemon with compute credentials (/v3/compute always wants them).
const v3Daemon = await startDaemon({ mode: 'controller', args: ['--vpcs-path', VPCS_083, '--user', 'gns3', '--password', 'conformance'] });
const v3Results: V3Result[] = [];
try {
  const walker = new V3Walker(v3Daemon.url, 'gns3', 'conformance');
  await walker.setup();
  for (const route of V3_ROUTES) v3Results.push(await walker.run(route));
} finally {
  await v3Daemon.stop();
}

type Result = RouteResult | V3Result;
const verdict = (r: Result) =>
  !r.implemented ? 'missing' : !r.checked ? 'present (probed)' : r.problems.length === 0 ? 'conforms' : 'differs';
/** One summary row per API (compute, controller): routes, implemented, conforming, differing, missing. */
const summaryOf = (all: Result[], label: (api: string) => string) => ['compute', 'controller'].map((api) => {
  const count = (pred: (r: Result) => boolean) => all.filter((r) => r.route.api === api && pred(r)).length;
  const total = count(() => true);
  const implemented = count((r) => r.implemented);
  return `| ${label(api)} | ${total} | ${implemented} (${Math.round((100 * implemented) / total)} %) | ${count((r) => r.checked && r.implemented && r.problems.length === 0)} | ${count((r) => r.checked && r.implemented && r.problems.length > 0)} | ${count((r) => !r.implemented)} |`;
});
const escape = (text: string) => text.replaceAll('|', '\\|').replaceAll('\n', ' ');
const rowsOf = (all: Result[]) => all.map((r) => {
  const notes = [r.route.optional ? `optional: ${r.route.optional}` : '', r.route.probeOnly ? `probed only: ${r.route.probeOnly}` : '', ...r.problems].filter(Boolean);
  return `| ${r.route.method} | \`${r.route.path}\` | ${r.route.section} | ${r.route.status} | ${r.status ?? '–'} | ${verdict(r)} | ${escape(notes.join('; ')).slice(0, 300)} |`;
});
/** The summary table, then the table of every route. */
const tables = (summary: string[], rows: string[]) => `| API | spec routes | implemented | conforms | differs | missing |
|---|---|---|---|---|---|
${summary.join('\n')}

| verb | path | spec § | spec status | got | verdict | notes |
|---|---|---|---|---|---|---|
${rows.join('\n')}`;
const summary = summaryOf(results, (api) => api);
const v3Summary = summaryOf(v3Results, (api) => `v3 ${api}`);

const markdown = `# Conformance

Which GNS3 v2.2 routes patchbay serves, and how its answers compare with the spec (../shared/spec/compute-api.md and
controller-api.md). Produced by \`npm run conformance\` (test/api/conformance/report.ts): a controller-mode daemon with
VPCS 0.8.3 and Dynamips 0.2.24 (routers boot patchbay's test image) on 127.0.0.1, fixtures created through the API, then every route of test/api/conformance/routes.ts called in
order. "Implemented" means the daemon has a handler (not a 404/405 "no route" and not "node type not supported").
"Conforms" means status code, required response keys and documented defaults match; "probed" rows (streams,
websockets, routes needing QEMU images, Dynamips idle-PC sampling, shutdown) are only checked for existence. Dynamips,
Frame Relay and ATM switch rows come from gns3-server 2.2's handlers (the spec has no tables for them).
The tap suite test/api/conformance/conformance.test.ts asserts the same table.

${tables(summary, rowsOf(results))}

## GNS3 3.0 (/v3 and /v3/compute)

The same walk for the 3.0 APIs against ../shared/spec/v3-api.md: test/api/conformance/routes-v3.ts (transcribed from §2
and §3.1; compute node routes for VPCS), walked by walker-v3.ts on a daemon started with compute credentials, the
controller rows with an admin bearer token, the compute rows with HTTP Basic. "Conforms" means status, required keys,
documented defaults, and unknown keys dropped where a row sends one; websockets count as implemented when the upgrade
succeeds. test/api/conformance/conformance-v3.test.ts asserts this table.

${tables(v3Summary, rowsOf(v3Results))}
`;

console.log([...summary, ...v3Summary].join('\n'));
for (const r of results) {
  if (!r.implemented || r.problems.length > 0) console.log(`${verdict(r).padEnd(8)} ${r.route.method} ${r.route.path}: ${r.problems.join('; ') || r.message || ''}`);
}
if (!values['no-write']) {
  writeFileSync(join(ROOT, 'docs', 'conformance.md'), markdown);
  console.log('wrote docs/conformance.md');
}
console.log(JSON.stringify({
  bench: 'conformance',
  routes: results.length,
  implemented: results.filter((r) => r.implemented).length,
  differs: results.filter((r) => r.problems.length > 0).length,
}));
