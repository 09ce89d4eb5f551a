/** HTTPS with --cert/--key, basic auth over it, and the notification websocket over wss. */
import t from 'tap';
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { request } from 'node:https';
import { join } from 'node:path';
import WebSocket from 'ws';
import { withDaemon } from '../helpers/daemon.ts';

function get(url: string, ca: string, headers: Record<string, string> = {}): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    request(url, { ca, headers }, (res) => {
      let body = '';
      res.on('data', (chunk) => (body += chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    }).on('error', reject).end();
  });
}

t.test('TLS', async (t) => {
  const dir = t.testdir();
  const cert = join(dir, 'cert.pem');
  const key = join(dir, 'key.pem');
  execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '1', '-subj', '/CN=127.0.0.1',
    '-addext', 'subjectAltName=IP:127.0.0.1', '-keyout', key, '-out', cert], { stdio: 'ignore' });
  const ca = readFileSync(cert, 'utf8');
  const daemon = await withDaemon(t, { args: ['--cert', cert, '--key', key, '--user', 'u', '--password', 'p'] });
  t.match(daemon.url, /^https:\/\/127\.0\.0\.1:\d+$/, 'serves https');

  const authorization = `Basic ${Buffer.from('u:p').toString('base64')}`;
  const ok = await get(`${daemon.url}/v2/compute/version`, ca, { authorization });
  t.equal(ok.status, 200);
  t.equal(JSON.parse(ok.body).version, '2.2.59');
  t.equal((await get(`${daemon.url}/v2/compute/version`, ca)).status, 401, 'auth still required over TLS');

  const ws = new WebSocket(`${daemon.url.replace('https', 'wss')}/v2/compute/notifications/ws`, { ca, headers: { authorization } });
  const first = await new Promise<string>((resolve, reject) => {
    ws.once('message', (data) => resolve(String(data)));
    ws.once('error', reject);
  });
  ws.close();
  t.equal(JSON.parse(first).action, 'ping', 'notification websocket works over wss');
});
