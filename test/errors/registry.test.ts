/** The errors registry: kinds are well formed, `fail` fills templates, codes drive branching, one GNS3 body shape. */
import t from 'tap';
import { Hono } from 'hono';
import { ERROR_KINDS, PatchbayError, fail, isError, type ErrorCode } from '../../src/errors/index.ts';
import { check } from '../../src/errors/validation.ts';
import { createApp } from '../../src/api/app.ts';
import { gns3ErrorBody } from '../../src/api/error-response.ts';
import * as v from 'valibot';

t.test('every kind has a client or server status, and a GNS3 exception name only where one is set', async (t) => {
  const codes = Object.keys(ERROR_KINDS) as ErrorCode[];
  t.ok(codes.length > 100, `${codes.length} kinds`);
  for (const code of codes) {
    const kind = ERROR_KINDS[code];
    t.match(code, /^[A-Z][A-Z0-9_]+$/, `${code} is an upper-case code`);
    t.ok(kind.status >= 400 && kind.status < 600, `${code}: status ${kind.status}`);
    if (kind.exception !== undefined) t.match(kind.exception, /^[A-Z][A-Za-z0-9]+Error$/, `${code}: exception ${kind.exception}`);
  }
});

t.test('fail() quotes the offending values in the template and carries status and exception', async (t) => {
  const err = fail('PROJECT_NOT_FOUND', 'c0ffee');
  t.ok(err instanceof PatchbayError && err instanceof Error);
  t.same([err.code, err.status, err.message, err.exception], ['PROJECT_NOT_FOUND', 404, "Project ID c0ffee doesn't exist", undefined]);

  const vpcs = fail('VPCS_SPAWN_FAILED', '/usr/bin/vpcs', 'EACCES');
  t.same([vpcs.status, vpcs.exception, vpcs.message], [409, 'VPCSError', 'Could not start VPCS /usr/bin/vpcs: EACCES']);

  t.equal(fail('TEMPLATE_BUILTIN', 'abc', 'deleted').message, 'Template ID abc cannot be deleted because it is a builtin');
  t.equal(fail('COMPUTE_INTERNAL', '/v2/compute/x').message, 'Internal server error /v2/compute/x', 'an optional value left out');
  t.equal(fail('COMPUTE_INTERNAL', '/v2/compute/x', 'boom').message, 'Internal server error /v2/compute/x: boom');
});

t.test('extra GNS3 fields: ImageMissingError names the image; a forwarded 409 keeps what the compute sent', async (t) => {
  const missing = fail('QEMU_IMAGE_MISSING', 'linux.qcow2');
  t.same([missing.exception, missing.fields], ['ImageMissingError', { image: 'linux.qcow2' }]);

  const forwarded = fail('COMPUTE_CONFLICT', 'The image a.img is missing', { exception: 'ImageMissingError', image: 'a.img' });
  t.same([forwarded.status, forwarded.exception, forwarded.fields], [409, 'ImageMissingError', { image: 'a.img' }]);
  const bare = fail('COMPUTE_CONFLICT', 'busy', {});
  t.same([bare.exception, bare.fields], [undefined, {}], 'nothing invented when the compute sent no exception');
});

t.test('isError() branches on codes, not on statuses', async (t) => {
  const answered = fail('COMPUTE_ANSWERED_NOT_FOUND', 'gone');
  const local = fail('PROJECT_NOT_FOUND', 'x');
  t.ok(isError(answered, 'COMPUTE_ANSWERED_NOT_FOUND'));
  t.notOk(isError(local, 'COMPUTE_ANSWERED_NOT_FOUND'), 'same status, other kind');
  t.ok(isError(local, 'COMPUTE_ANSWERED_NOT_FOUND', 'PROJECT_NOT_FOUND'), 'any of several codes');
  t.ok(isError(local), 'no codes: any patchbay error');
  t.notOk(isError(Object.assign(new Error('x'), { status: 404, code: 'PROJECT_NOT_FOUND' })), 'look-alikes are not ours');
});

t.test('check() turns valibot issues into INVALID_REQUEST naming each field', async (t) => {
  const schema = v.strictObject({ name: v.string(), port: v.number() });
  t.same(check(schema, { name: 'a', port: 1 }), { name: 'a', port: 1 });
  const err = (() => {
    try {
      check(schema, { name: 1, port: 'x' });
    } catch (caught) {
      return caught;
    }
  })();
  t.ok(isError(err, 'INVALID_REQUEST'));
  t.match((err as Error).message, /^Invalid request: "name": .*; "port": /);
});

t.test('the HTTP layer renders GNS3 bodies, in GNS3 key order', async (t) => {
  t.equal(
    JSON.stringify(gns3ErrorBody(fail('QEMU_IMAGE_MISSING', 'a.qcow2'))),
    '{"status":409,"message":"The image a.qcow2 is missing","exception":"ImageMissingError","image":"a.qcow2"}',
  );
  t.equal(JSON.stringify(gns3ErrorBody(fail('LINK_TO_ITSELF'))), '{"status":409,"message":"Cannot connect to itself"}');

  const routes = new Hono();
  routes.get('/known', () => {
    throw fail('NIO_NOT_UDP');
  });
  routes.get('/bug', () => {
    throw new TypeError('oops');
  });
  const internal: Error[] = [];
  const app = createApp({ serverHeader: 'test', mounts: [['/v2', routes]], onInternalError: (err) => internal.push(err) });
  const known = await app.request('http://localhost/v2/known');
  t.same([known.status, await known.json()], [409, { status: 409, message: 'Destination NIO is not UDP', exception: 'NodeError' }]);
  const missing = await app.request('http://localhost/v2/nowhere', { method: 'DELETE' });
  t.same([missing.status, await missing.json()], [404, { status: 404, message: '404: Not Found (DELETE /v2/nowhere)' }]);
  const bug = await app.request('http://localhost/v2/bug');
  t.same([bug.status, await bug.json(), internal.length], [500, { status: 500, message: 'Internal error: oops' }, 1], 'unexpected errors are reported');
});

// Compile-time checks (tsc runs over test/): a template's values are required and typed.
// @ts-expect-error PROJECT_NOT_FOUND needs the project id
void (() => fail('PROJECT_NOT_FOUND'));
// @ts-expect-error NO_FREE_PORT takes numbers
void (() => fail('NO_FREE_PORT', 'a', 'b'));
// @ts-expect-error unknown code
void (() => fail('NO_SUCH_KIND'));
