/**
 * `npm run docs` builds the API reference as one offline page: built here into a temp file,
 * then opened in headless Chromium with the network off. Every operation of the spec renders
 * (summary, method and path), and the page requests nothing but itself.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadSpec } from '../../src/protocol/spec.js';
import { chromiumMissing, launchChromium } from '../support/chromium.js';

const missing = chromiumMissing();
if (missing) console.log(missing);

const ROOT = join(import.meta.dirname, '../..');

interface Operation {
  operationId: string;
  method: string;
  path: string;
  tag: string;
  summary: string;
}

function operations(): Operation[] {
  const spec = loadSpec() as unknown as { paths: Record<string, Record<string, { operationId?: string; tags?: string[]; summary?: string }>> };
  return Object.entries(spec.paths).flatMap(([path, item]) =>
    Object.entries(item)
      .filter(([, op]) => typeof op === 'object' && op !== null && typeof op.operationId === 'string')
      .map(([method, op]) => ({ operationId: op.operationId!, method: method.toUpperCase(), path, tag: op.tags?.[0] ?? '', summary: op.summary ?? '' })),
  );
}

describe('npm run docs', () => {
  let html: string;
  let out: string;
  beforeAll(() => {
    out = join(mkdtempSync(join(tmpdir(), 'glue-api-docs-')), 'api.html');
    const build = spawnSync(process.execPath, ['--import', 'tsx', join(ROOT, 'scripts/build-docs.ts'), out], { cwd: ROOT, encoding: 'utf8', timeout: 120_000 });
    expect(build.status, build.stderr).toBe(0);
    html = readFileSync(out, 'utf8');
  }, 130_000);

  it('inlines Redoc (no CDN script or stylesheet) and forbids network loads by CSP', () => {
    expect(html).not.toMatch(/<script[^>]+src=/);
    expect(html).not.toMatch(/<link[^>]+href="https?:/);
    expect(html).not.toContain('import { hydrate } from "https://');
    expect(html).toContain(`<meta http-equiv="Content-Security-Policy" content="default-src 'none';`);
  });

  describe.skipIf(missing !== undefined)('in headless Chromium, offline', () => {
    let browser: Browser;
    beforeAll(async () => {
      browser = await launchChromium();
    }, 60_000);
    afterAll(async () => {
      await browser?.close();
    });

    it('renders every operation of the spec and loads nothing from the network', async () => {
      const context = await browser.newContext({ offline: true });
      const page = await context.newPage();
      page.setDefaultTimeout(15_000);
      const requests: string[] = [];
      const loaded: string[] = [];
      page.on('request', (request) => requests.push(request.url()));
      page.on('requestfinished', (request) => loaded.push(request.url()));
      const crashes: string[] = [];
      page.on('pageerror', (error) => crashes.push(error.message));
      const ops = operations();
      expect(ops.length).toBeGreaterThanOrEqual(19);
      await page.goto(pathToFileURL(out).href);
      await expect.poll(() => page.locator('body').innerText(), { timeout: 15_000 }).toContain('Glue daemon protocol');
      for (const op of ops) {
        // Redoc 3 pages by tag (#/tag) and renders an operation's section when it is navigated to.
        const tag = `#/${op.tag.toLowerCase()}`;
        const link = `${tag}/${op.operationId.toLowerCase()}`;
        await page.evaluate((hash) => (location.hash = hash), tag);
        await page.locator(`a[href="${link}"]`).first().click();
        await expect.poll(() => page.url(), { message: op.operationId }).toContain(link);
        // The operation's own section: its summary as a heading, its method and path.
        const heading = page.getByRole('heading', { name: op.summary, exact: false }).first();
        await expect.poll(() => heading.isVisible(), { timeout: 15_000, message: `${op.operationId} heading` }).toBe(true);
        await expect.poll(() => page.locator('body').innerText(), { timeout: 15_000, message: `${op.operationId} path` }).toContain(`${op.method}\n${op.path}`);
      }
      expect(crashes).toEqual([]);
      const external = (urls: string[]) => urls.filter((url) => /^(https?|wss?):/.test(url));
      expect(external(loaded)).toEqual([]);
      // The only outside URL the page even tries is Redoc's "API docs by" logo, which the CSP
      // blocks (Redoc then hides it): no script, style, font or telemetry call.
      expect([...new Set(external(requests))]).toEqual(external(requests).length === 0 ? [] : ['https://cdn.redoc.ly/redoc/logo-mini-full.svg']);
      await context.close();
    }, 120_000);
  });
});
