/**
 * The HTML and Markdown reports in a real headless Chromium: a report of a real run against a
 * fault-injected daemon renders every check id, a failure opens and shows the offending SSE
 * frame, the filters filter, and nothing is fetched from anywhere. The Markdown is rendered the
 * way GitHub does (GFM via marked) and checked the same way.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { marked } from 'marked';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { renderHtml, renderMarkdown } from '../../conformance/reporters/index.js';
import { createRedactor } from '../../src/output/index.js';
import { runSuite } from '../../conformance/runner.js';
import type { SuiteReport } from '../../conformance/types.js';
import { createFaultyServer } from '../../reference-server/faults/index.js';
import { loadMockHost } from '../../reference-server/mock-host/index.js';
import { serveNode } from '../../reference-server/serve-node.js';
import { chromiumMissing, launchChromium } from '../support/chromium.js';

const missing = chromiumMissing();
if (missing) console.log(missing);

/** The `any` profile against a daemon whose streams restart seq at the fifth event (SSE-005 fails). */
async function faultyReport(): Promise<{ report: SuiteReport; token: string }> {
  const token = `html-${crypto.randomUUID()}`;
  const server = createFaultyServer({ token, host: loadMockHost({ delayScale: 0 }), faults: ['sse-seq-restart'] });
  const node = await serveNode(server, { host: '127.0.0.1', port: 0, closeGraceMs: 200 });
  try {
    return { report: await runSuite({ url: node.url, token, timeoutMs: 10_000 }), token };
  } finally {
    await server.close().catch(() => undefined);
    await node.close();
  }
}

describe.skipIf(missing !== undefined)('HTML and Markdown reports in headless Chromium', () => {
  let browser: Browser;
  let report: SuiteReport;
  let token: string;
  let dir: string;
  beforeAll(async () => {
    [browser, { report, token }] = await Promise.all([launchChromium(), faultyReport()]);
    dir = mkdtempSync(join(tmpdir(), 'glue-html-report-'));
  }, 60_000);
  afterAll(async () => {
    await browser?.close();
  });

  async function open(file: string, html: string) {
    const path = join(dir, file);
    writeFileSync(path, html);
    const context = await browser.newContext({ offline: true });
    const page = await context.newPage();
    const requests: string[] = [];
    page.on('request', (request) => requests.push(request.url()));
    const errors: string[] = [];
    page.on('pageerror', (error) => errors.push(error.message));
    page.on('console', (message) => {
      if (message.type() === 'error') errors.push(message.text());
    });
    page.setDefaultTimeout(10_000);
    await page.goto(pathToFileURL(path).href);
    return { page, requests, errors, path };
  }

  it('renders every check id, opens a failure to its offending frame, filters, and loads nothing else', async () => {
    // What the CLI writes: the reporter's text through the redacting sink.
    const html = createRedactor([token]).redact(renderHtml(report));
    expect(html).not.toContain(token);
    const { page, requests, errors, path } = await open('report.html', html);
    expect(errors).toEqual([]);
    expect(requests).toEqual([pathToFileURL(path).href]);

    const ids = await page.locator('details.check .id').allTextContents();
    expect(ids).toEqual(report.results.map((r) => r.id));
    expect(await page.locator('#shown').textContent()).toBe(`${report.results.length} of ${report.results.length} checks shown`);
    expect(await page.locator('#areas tfoot td').first().textContent()).toBe('all');

    // A failure opens: the rule, reference, message and the SSE frame where seq restarts.
    const failure = page.locator('#check-SSE-005');
    expect(await failure.getAttribute('data-status')).toBe('fail');
    expect(await failure.locator('.message').isVisible()).toBe(false);
    await failure.locator('summary').first().click();
    expect(await failure.evaluate((el) => (el as HTMLDetailsElement).open)).toBe(true);
    expect(await failure.locator('.message').textContent()).toContain('expected seq 5 after 4, got 1');
    expect(await failure.locator('.body').textContent()).toContain('reference: ADR-0010');
    const exchange = failure.locator('details.exchange.failing');
    await exchange.locator('summary').click();
    const pre = exchange.locator('pre');
    expect(await pre.isVisible()).toBe(true);
    expect(await pre.textContent()).toMatch(/… 3 earlier frames not shown …[\s\S]*"seq":4,[\s\S]*"seq":1,/);

    // Filters: failures only, then one area, then one level.
    const failing = report.results.filter((r) => r.status === 'fail').length;
    for (const box of await page.locator('input[name="status"]').all()) if ((await box.getAttribute('value')) !== 'fail') await box.uncheck();
    expect(await page.locator('details.check:visible').count()).toBe(failing);
    expect(await page.locator('#shown').textContent()).toBe(`${failing} of ${report.results.length} checks shown`);
    for (const box of await page.locator('input[name="status"]').all()) await box.check();
    await page.selectOption('select[name="area"]', 'HEALTH');
    expect(await page.locator('details.check:visible .id').allTextContents()).toEqual(['HEALTH-001', 'HEALTH-002']);
    await page.selectOption('select[name="level"]', 'SHOULD');
    expect(await page.locator('details.check:visible .id').allTextContents()).toEqual(['HEALTH-002']);
    await page.context().close();
  });

  it('renders the Markdown summary as GitHub would: counts for every area and the failure behind a disclosure', async () => {
    const markdown = createRedactor([token]).redact(renderMarkdown(report));
    expect(markdown).not.toContain(token);
    const body = await marked.parse(markdown, { gfm: true });
    const { page, errors } = await open('summary.html', `<!doctype html><meta charset="utf-8"><body>${body}</body>`);
    expect(errors).toEqual([]);
    const areas = await page.locator('table tbody tr td:first-child').allTextContents();
    expect(areas).toEqual([...new Set(report.results.map((r) => r.area)), 'all']);
    const details = page.locator('details').filter({ has: page.locator('summary', { hasText: 'SSE-005' }) });
    expect(await details.count()).toBe(1);
    const summary = details.locator('summary');
    expect(await details.locator('pre').first().isVisible()).toBe(false);
    await summary.click();
    expect(await details.locator('pre').first().textContent()).toContain('expected seq 5 after 4, got 1');
    expect(await details.textContent()).toMatch(/"seq":4,[\s\S]*"seq":1,/);
    await page.context().close();
  });
});
