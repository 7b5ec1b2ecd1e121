/**
 * Browser MSW and --cors in a real headless Chromium (issue 14 item 3). The browser entry
 * `src/msw/browser.ts` is bundled by esbuild for the browser platform (which refuses node:
 * modules, so this alone proves it has none), served with MSW's service worker from a local
 * static server, and the page streams runs through the worker: the default `hello`, and a
 * scenario passed as data. The same page then streams from a real mock daemon on another origin
 * started with --cors, and is blocked by one without it.
 */
import { readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { build } from 'esbuild';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createReferenceServer } from '../../reference-server/index.js';
import { loadMockHost } from '../../reference-server/mock-host/index.js';
import { serveNode, type NodeServer } from '../../reference-server/serve-node.js';
import { applyWorkbench } from '../../reference-server/workbench/index.js';
import { packagePath } from '../../src/protocol/package-root.js';
import { chromiumMissing, launchChromium } from '../support/chromium.js';

const missing = chromiumMissing();
if (missing) console.log(missing);

const HELLO = ['run_start', 'loop_start', 'turn_start', 'message_start', 'text_delta', 'text_delta', 'message_end', 'turn_end', 'loop_end', 'run_done'];
const DAEMON_TOKEN = 'cors-daemon-token';

async function bundlePage(): Promise<string> {
  const result = await build({ entryPoints: [packagePath('test', 'workbench', 'browser', 'page.ts')], bundle: true, platform: 'browser', format: 'esm', write: false, logLevel: 'silent' });
  return result.outputFiles[0]!.text;
}

function serveStatic(files: Record<string, [string, string]>): Promise<Server> {
  const server = createServer((req, res) => {
    const file = files[new URL(req.url ?? '/', 'http://x').pathname];
    if (!file) {
      res.writeHead(404).end('not here: only the service worker answers this');
      return;
    }
    res.writeHead(200, { 'Content-Type': file[0] }).end(file[1]);
  });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(server)));
}

async function daemon(cors: string[]): Promise<NodeServer & { stop(): Promise<void> }> {
  const server = applyWorkbench(createReferenceServer({ token: DAEMON_TOKEN, host: loadMockHost({ delayScale: 0 }) }), { token: DAEMON_TOKEN, cors });
  const node = await serveNode(server, { host: '127.0.0.1', port: 0, closeGraceMs: 200 });
  return Object.assign(node, { stop: async () => (await server.close(), await node.close()) });
}

describe.skipIf(missing !== undefined)('browser MSW and --cors in headless Chromium', () => {
  let browser: Browser;
  let site: Server;
  let origin: string;

  beforeAll(async () => {
    const page = await bundlePage();
    expect(page).not.toMatch(/from\s*["']node:/);
    site = await serveStatic({
      '/': ['text/html', '<!doctype html><meta charset="utf-8"><title>glue msw</title><script type="module" src="/page.js"></script>'],
      '/page.js': ['text/javascript', page],
      '/mockServiceWorker.js': ['text/javascript', readFileSync(packagePath('node_modules', 'msw', 'lib', 'mockServiceWorker.js'), 'utf8')],
    });
    origin = `http://127.0.0.1:${(site.address() as AddressInfo).port}`;
    browser = await launchChromium();
  }, 90_000);

  afterAll(async () => {
    await browser?.close();
    await new Promise((resolve) => site?.close(resolve));
  });

  it('streams runs through the MSW service worker, and from a --cors daemon on another origin', async () => {
    const withCors = await daemon([origin]);
    const without = await daemon([]);
    try {
      const page = await browser.newPage();
      const query = new URLSearchParams({ cors: withCors.url, closed: without.url, token: DAEMON_TOKEN });
      await page.goto(`${origin}/?${query}`);
      const handle = await page.waitForFunction(() => (window as unknown as { __result?: unknown }).__result, undefined, { timeout: 60_000 });
      const result = (await handle.jsonValue()) as Record<string, { status: number; types: string[]; text: string; chunks: number } | string | boolean>;
      expect(result['error']).toBeUndefined();
      expect(result['controlled']).toBe(true);
      expect(result['hello']).toMatchObject({ status: 200, types: HELLO, text: 'Hello, world' });
      expect(result['ping']).toMatchObject({ status: 200, types: HELLO, text: 'pong' });
      const flood = result['flood'] as { status: number; types: string[]; text: string };
      expect(flood).toMatchObject({ status: 200, text: 'x'.repeat(700) });
      expect(flood.types.filter((type) => type === 'text_delta')).toHaveLength(700);
      expect(flood.types.at(-1)).toBe('run_done');
      // Through --cors, over real HTTP, event by event.
      expect(result['cors']).toMatchObject({ status: 200, types: HELLO, text: 'Hello, world' });
      expect(result['closed']).toMatch(/^blocked: TypeError/);
      await page.close();
    } finally {
      await withCors.stop();
      await without.stop();
    }
  }, 90_000);
});
