/**
 * CORS as gns3-server 2.2 answers it (values observed live on 2.2.41, see the controller spec §1.1), and the static
 * routes of the web UIs: `/`, `/ui/…` and `/static/web-ui/…` never serve a file outside their folder, whatever the
 * encoding or symbolic links. Raw request paths go through node:http: fetch() would normalise the dots away.
 */
import t from 'tap';
import { request } from 'node:http';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startDaemon, withDaemon } from '../helpers/daemon.ts';

type Raw = { status: number; headers: Record<string, string | string[] | undefined>; body: string };

function raw(url: string, path: string, init: { method?: string; headers?: Record<string, string> } = {}): Promise<Raw> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve, reject) => {
    const req = request({ hostname, port, path, method: init.method ?? 'GET', headers: init.headers }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk) => (body += chunk));
      res.on('end', () => resolve({ status: res.statusCode!, headers: res.headers, body }));
    });
    req.on('error', reject);
    req.end();
  });
}

const base = mkdtempSync(join(tmpdir(), 'patchbay-webui-'));
const gns3Ui = join(base, 'gns3-web-ui');
mkdirSync(join(gns3Ui, 'assets'), { recursive: true });
writeFileSync(join(gns3Ui, 'index.html'), '<!doctype html><title>GNS3 Web UI</title>');
writeFileSync(join(gns3Ui, 'main.js'), 'console.log("gns3")');
writeFileSync(join(base, 'secret.txt'), 'SECRET-OUTSIDE');
symlinkSync(join(base, 'secret.txt'), join(gns3Ui, 'escape.txt'));
symlinkSync(base, join(gns3Ui, 'assets', 'up'));
t.teardown(() => rmSync(base, { recursive: true, force: true }));

t.test('CORS with the default origins, basic auth on', async (t) => {
  const daemon = await withDaemon(t, { mode: 'controller', args: ['--user', 'admin', '--password', 'pw', '--gns3-web-ui', gns3Ui] });
  const auth = { authorization: `Basic ${Buffer.from('admin:pw').toString('base64')}` };
  const origin = 'http://127.0.0.1:4200';

  const preflight = await raw(daemon.url, '/v2/projects', {
    method: 'OPTIONS',
    headers: { origin, 'access-control-request-method': 'POST', 'access-control-request-headers': 'authorization,content-type' },
  });
  t.equal(preflight.status, 200, 'preflight answered without credentials');
  t.equal(preflight.headers['access-control-allow-origin'], origin);
  t.equal(preflight.headers['access-control-allow-methods'], 'POST');
  t.equal(preflight.headers['access-control-allow-headers'], 'AUTHORIZATION,CONTENT-TYPE', 'requested headers, upper-cased');
  t.equal(preflight.headers['access-control-max-age'], '0');
  t.notOk(preflight.headers['access-control-allow-credentials'], 'no credentials flag, as gns3-server');

  const wrongMethod = await raw(daemon.url, '/v2/version', { method: 'OPTIONS', headers: { origin, 'access-control-request-method': 'DELETE' } });
  t.equal(wrongMethod.status, 403, 'a method the route does not have is refused');
  t.match(wrongMethod.headers['content-type'], /^text\/plain/);
  t.equal(wrongMethod.body, `CORS preflight request failed: request method 'DELETE' is not allowed for '${origin}' origin`);

  const otherOrigin = await raw(daemon.url, '/v2/version', { method: 'OPTIONS', headers: { origin: 'http://evil.example', 'access-control-request-method': 'GET' } });
  t.equal(otherOrigin.status, 403);
  t.notOk(otherOrigin.headers['access-control-allow-origin']);

  const simple = await raw(daemon.url, '/v2/version', { headers: { origin, ...auth } });
  t.equal(simple.status, 200);
  t.equal(simple.headers['access-control-allow-origin'], origin, 'the origin is echoed');
  const exposed = String(simple.headers['access-control-expose-headers']).split(',');
  t.ok(exposed.includes('Server') && exposed.includes('Content-Length'), `non-safelisted headers exposed: ${exposed}`);
  t.notOk(exposed.includes('Content-Type'), 'safelisted headers are not listed');

  const unauthorized = await raw(daemon.url, '/v2/version', { headers: { origin } });
  t.equal(unauthorized.status, 401);
  t.equal(unauthorized.headers['access-control-allow-origin'], origin, 'the calling page can read the 401');

  const stranger = await raw(daemon.url, '/v2/version', { headers: { origin: 'http://evil.example', ...auth } });
  t.equal(stranger.status, 200);
  t.notOk(stranger.headers['access-control-allow-origin'], 'an origin not listed gets no CORS headers');
});

t.test('--cors-origins replaces the list', async (t) => {
  const daemon = await withDaemon(t, { mode: 'controller', args: ['--cors-origins', 'http://127.0.0.1:9999, http://lab.example:8000'] });
  const listed = await raw(daemon.url, '/v2/version', { headers: { origin: 'http://lab.example:8000' } });
  t.equal(listed.headers['access-control-allow-origin'], 'http://lab.example:8000');
  const dropped = await raw(daemon.url, '/v2/version', { headers: { origin: 'http://127.0.0.1:4200' } });
  t.notOk(dropped.headers['access-control-allow-origin'], 'the default origins are no longer allowed');
  const bad = await startDaemon({ mode: 'controller', args: ['--cors-origins', 'http://x/path'] }).catch((err: Error) => err);
  t.match(String(bad), /cors_origins.*comma-separated list of origins/, 'an origin with a path is refused at startup');
});

t.test('static routes stay inside their folders', async (t) => {
  const daemon = await withDaemon(t, { mode: 'controller', args: ['--gns3-web-ui', gns3Ui] });

  const js = await raw(daemon.url, '/static/web-ui/main.js');
  t.equal(js.status, 200);
  t.match(js.headers['content-type'], /^application\/javascript/);
  const spa = await raw(daemon.url, '/static/web-ui/server/1/project/abc');
  t.equal(spa.status, 200, 'single-page-app route');
  t.match(spa.body, /GNS3 Web UI/, 'falls back to index.html');
  const redirect = await raw(daemon.url, '/static/web-ui');
  t.equal(redirect.status, 302);
  t.equal(redirect.headers.location, '/static/web-ui/');

  const attempts = [
    '/static/web-ui/../secret.txt',
    '/static/web-ui/%2e%2e/secret.txt',
    '/static/web-ui/%2E%2E%2Fsecret.txt',
    '/static/web-ui/..%2fsecret.txt',
    '/static/web-ui/%252e%252e%252fsecret.txt',
    '/static/web-ui/..%5csecret.txt',
    '/static/web-ui/escape.txt',
    '/static/web-ui/assets/up/secret.txt',
    '/static/web-ui/%00index.html',
    '/ui/../../secret.txt',
    '/ui/%2e%2e/%2e%2e/%2e%2e/etc/passwd',
    '/ui/..%2f..%2f..%2fetc%2fpasswd',
    '/ui/%252e%252e/package.json',
    '/ui/%2fetc%2fpasswd',
    '/%2e%2e/package.json',
  ];
  for (const path of attempts) {
    const answer = await raw(daemon.url, path);
    t.notMatch(answer.body, /SECRET-OUTSIDE|root:x:0|"name": "patchbay"/, `${path} → ${answer.status}, nothing from outside`);
    t.ok(answer.status === 200 ? /GNS3 Web UI/.test(answer.body) : answer.status >= 400, `${path} → ${answer.status}: index.html or an error`);
  }
});
