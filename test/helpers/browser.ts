/**
 * The distribution's chromium driven by playwright-core, for the web UI tests: a fresh profile per launch, no
 * background traffic, and a record of everything that went wrong on the page (console errors, uncaught exceptions,
 * failed or 4xx/5xx requests) for the test to assert empty.
 */
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { ROOT } from './daemon.ts';

export const CHROMIUM = process.env.PATCHBAY_CHROMIUM ?? '/usr/bin/chromium';

/** Screenshots and timings go next to the test logs (.tap/), where CI keeps them. */
export const ARTIFACTS = process.env.PATCHBAY_ARTIFACTS ?? join(ROOT, '.tap', 'artifacts', 'web');

const FLAGS = [
  '--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
  '--disable-component-update', '--disable-sync',
];

export type BrowserSession = {
  context: BrowserContext;
  page: Page;
  /** Console errors, page errors and failed requests seen so far. */
  problems: string[];
  screenshot(name: string): Promise<string>;
  close(): Promise<void>;
};

export async function openBrowser(options: { httpCredentials?: { username: string; password: string }; allowStatus?: (url: string, status: number) => boolean } = {}): Promise<BrowserSession> {
  const profile = mkdtempSync(join(tmpdir(), 'patchbay-chromium-'));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    args: FLAGS,
    viewport: { width: 1400, height: 900 },
    httpCredentials: options.httpCredentials,
  });
  const page = context.pages()[0] ?? (await context.newPage());
  const problems: string[] = [];
  context.on('console', (message) => {
    // Chromium logs every 4xx/5xx answer as "Failed to load resource"; those are judged below, by status and URL.
    if (message.type() === 'error' && !message.text().startsWith('Failed to load resource')) problems.push(`console error: ${message.text()}`);
  });
  context.on('weberror', (error) => problems.push(`page error: ${error.error().message}`));
  context.on('requestfailed', (request) => {
    // A download the page hands to the browser, and sockets closed by navigation, are not failures of the UI.
    if (request.failure()?.errorText === 'net::ERR_ABORTED' && request.resourceType() === 'websocket') return;
    problems.push(`request failed: ${request.method()} ${request.url()} ${request.failure()?.errorText}`);
  });
  context.on('response', (response) => {
    const status = response.status();
    if (status >= 400 && !options.allowStatus?.(response.url(), status)) problems.push(`HTTP ${status}: ${response.request().method()} ${response.url()}`);
  });
  mkdirSync(ARTIFACTS, { recursive: true });
  return {
    context,
    page,
    problems,
    async screenshot(name) {
      const file = join(ARTIFACTS, `${name}.png`);
      await page.screenshot({ path: file });
      return file;
    },
    async close() {
      await context.close();
      rmSync(profile, { recursive: true, force: true });
    },
  };
}
