/**
 * `--repeat N` and the flaky verdict: a daemon whose health answer breaks on one request makes
 * HEALTH-001 flaky (its own status in the model, the pretty, JSON and JUnit reports, exit 1),
 * `--allow-flaky` lets the run pass, and a steady check keeps its verdict with every attempt listed.
 */
import { PassThrough } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { allChecks } from '../../conformance/checks/index.js';
import { renderHtml } from '../../conformance/reporters/html.js';
import { renderJunit, renderPretty, summaryLine } from '../../conformance/reporters/index.js';
import { renderMarkdown } from '../../conformance/reporters/markdown.js';
import { aggregate } from '../../conformance/outcome.js';
import { runSuite } from '../../conformance/runner.js';
import type { CheckResult } from '../../conformance/types.js';
import { main } from '../../src/cli/glue-conformance.js';
import { startDaemon, type TestDaemon } from './support.js';
import { parseXmlElements } from './xml-well-formed.js';

/** Health answers version 2 on its `broken`-th request only (the suite's own preflight is request 1). */
function flakyHealth(broken: number) {
  let seen = 0;
  return startDaemon({
    wrap: (next) => async (request) => {
      if (new URL(request.url).pathname !== '/v1/health') return next(request);
      seen++;
      return seen === broken ? Response.json({ ok: true, version: 2 }) : next(request);
    },
  });
}

function capture(): { stream: PassThrough; text: () => string } {
  const stream = new PassThrough();
  let text = '';
  stream.on('data', (chunk: Buffer) => (text += chunk.toString()));
  return { stream, text: () => text };
}

describe('--repeat', () => {
  let daemon: TestDaemon;
  beforeAll(async () => {
    daemon = await flakyHealth(3);
  });
  afterAll(() => daemon.close());

  it('a check whose verdict changes is flaky and fails the run; a steady one keeps its verdict', async () => {
    const seen: CheckResult[] = [];
    const rounds: number[] = [];
    const report = await runSuite({
      url: daemon.url,
      token: daemon.token,
      only: ['HEALTH-001', 'STATUS-001'],
      repeat: 3,
      onCheckResult: (r) => seen.push(r),
      onRound: (round) => rounds.push(round),
    });
    const [health, status] = report.results;
    expect(health).toMatchObject({ id: 'HEALTH-001', status: 'flaky' });
    expect(health?.attempts?.map((a) => a.status)).toEqual(['pass', 'fail', 'pass']);
    expect(health?.message).toMatch(/^verdict changed over 3 runs \(2 pass, 1 fail\) — run 2: /);
    expect(status).toMatchObject({ id: 'STATUS-001', status: 'pass' });
    expect(status?.attempts).toHaveLength(3);
    expect(report.summary).toMatchObject({ total: 2, passed: 1, failed: 0, skipped: 0, flaky: 1, mustFailed: 0 });
    expect(report.ok).toBe(false);
    expect(report.repeat).toBe(3);
    // Results come once each, after the last round.
    expect(rounds).toEqual([1, 2, 3]);
    expect(seen.map((r) => r.id)).toEqual(['HEALTH-001', 'STATUS-001']);

    expect(summaryLine(report)).toBe('1 passed, 0 failed, 0 skipped, 1 flaky');
    const pretty = renderPretty(report);
    // Wrapped at 80 columns: the verdict may continue on the next line.
    expect(pretty).toMatch(/^\? HEALTH-001 MUST [\s\S]*? — flaky:\s+verdict\s+changed/m);
    expect(pretty).toContain('verdicts: pass fail pass');
    const junit = renderJunit(report);
    parseXmlElements(junit);
    expect(junit).toContain('<property name="status" value="flaky"/>');
    expect(junit).toMatch(/<failure message="verdict changed[^"]*" type="flaky">/);
    expect(junit).toMatch(/<testsuites [^>]*failures="1"/);
    expect(JSON.parse(JSON.stringify(report)).results[0].status).toBe('flaky');
    // The status is part of the report model, so every reporter shows it.
    expect(renderMarkdown(report)).toContain('verdicts per run: pass fail pass');
    expect(renderHtml(report)).toContain('verdicts per run: pass fail pass');
  });

  it('--allow-flaky reports the flaky check without failing the run', async () => {
    const other = await flakyHealth(2);
    try {
      const report = await runSuite({ url: other.url, token: other.token, only: ['HEALTH-001'], repeat: 2, allowFlaky: true });
      expect(report.results[0]?.status).toBe('flaky');
      expect(report.ok).toBe(true);
      const junit = renderJunit(report);
      parseXmlElements(junit);
      expect(junit).toMatch(/<flakyFailure message="verdict changed[^"]*" type="flaky">/);
      expect(junit).toMatch(/<testsuites [^>]*failures="0"/);
      expect(renderPretty(report)).toContain('1 flaky check(s) (allowed by --allow-flaky)');
    } finally {
      await other.close();
    }
  });

  it('the CLI exits 1 on a flaky check, 0 with --allow-flaky, 2 on a bad --repeat', async () => {
    const run = async (daemonUnderTest: TestDaemon, extra: string[]) => {
      const out = capture();
      const err = capture();
      const code = await main(['--url', daemonUnderTest.url, '--token', daemonUnderTest.token, '--only', 'HEALTH-001', '--repeat', '2', ...extra], { stdout: out.stream, stderr: err.stream, env: {} });
      return { code, stdout: out.text(), stderr: err.text() };
    };
    const [a, b] = [await flakyHealth(2), await flakyHealth(2)];
    try {
      const failing = await run(a, []);
      expect(failing.code).toBe(1);
      expect(failing.stdout.trimEnd().split('\n').at(-1)).toBe('0 passed, 0 failed, 0 skipped, 1 flaky');
      expect(failing.stdout).toContain('round 2/2 done');
      expect((await run(b, ['--allow-flaky'])).code).toBe(0);
      const bad = await run(b, ['--repeat', '0']);
      expect(bad.code).toBe(2);
      expect(bad.stderr).toContain('--repeat must be an integer from 1 to 1000');
    } finally {
      await Promise.all([a.close(), b.close()]);
    }
  });

  it('a single run is reported exactly as before: no attempts, no flaky count in the final line', async () => {
    const report = await runSuite({ url: daemon.url, token: daemon.token, only: ['STATUS-001'] });
    expect(report.results[0]?.attempts).toBeUndefined();
    expect(summaryLine(report)).toBe('1 passed, 0 failed, 0 skipped');
  });
});

describe('timing tag', () => {
  it('marks the checks whose verdict depends on wall-clock timing, and reports carry it', async () => {
    const timing = allChecks.filter((c) => c.tags?.includes('timing')).map((c) => c.id);
    expect(timing).toEqual(expect.arrayContaining(['PERM-002', 'PERM-010', 'RUN-004']));
    const out = capture();
    expect(await main(['--list', '--only', 'PERM-002'], { stdout: out.stream, stderr: out.stream, env: {} })).toBe(0);
    expect(out.text()).toMatch(/^PERM-002 +MUST +scripted +timing +expires_at/m);
    const result: CheckResult = { id: 'PERM-002', area: 'PERM', level: 'MUST', rule: 'r.', reference: 'x', profile: 'scripted', status: 'pass', durationMs: 1, notes: [], exchanges: [], tags: ['timing'] };
    const report = { url: 'http://x', profile: 'scripted' as const, startedAt: new Date(0).toISOString(), durationMs: 1, capabilities: [], results: [result], summary: { total: 1, passed: 1, failed: 0, skipped: 0, flaky: 0, mustFailed: 0, shouldFailed: 0, expectedFailed: 0 }, ok: true };
    expect(renderPretty(report)).toContain('✓ PERM-002 MUST [timing] r.');
    expect(renderJunit(report)).toContain('<property name="tag" value="timing"/>');
  });

  it('aggregate keeps a steady verdict and sums the time', () => {
    const base: CheckResult = { id: 'X-001', area: 'HEALTH', level: 'MUST', rule: 'r.', reference: 'x', profile: 'any', status: 'skip', durationMs: 2, notes: [], exchanges: [], message: 'why' };
    const merged = aggregate([base, { ...base, durationMs: 3 }]);
    expect(merged).toMatchObject({ status: 'skip', durationMs: 5, message: 'why' });
    expect(aggregate([base, { ...base, status: 'pass' }]).status).toBe('flaky');
  });
});

describe('a check cut short by its own slowness', () => {
  /** Holds the first `held` decisions until their request expired (the daemon's timer runs first). */
  function slowDecisions(held: number, permissionTimeoutMs: number) {
    let decisions = 0;
    return startDaemon({
      permissionTimeoutMs,
      wrap: (next) => async (request) => {
        if (request.method === 'POST' && new URL(request.url).pathname.endsWith('/decision') && ++decisions <= held) {
          await new Promise((resolve) => setTimeout(resolve, 2 * permissionTimeoutMs));
        }
        return next(request);
      },
    });
  }

  it('runs again when its permission request expired before it answered, and says so', async () => {
    const daemon = await slowDecisions(1, 300);
    try {
      const report = await runSuite({ url: daemon.url, token: daemon.token, profile: 'scripted', only: ['PERM-003'] });
      expect(report.results[0]?.status).toBe('pass');
      expect(report.results[0]?.notes[0]).toMatch(/^run 1 was cut short and the check ran again: the permission request expired/);
    } finally {
      await daemon.close();
    }
  });

  it('fails with the reason when every run was cut short', async () => {
    const daemon = await slowDecisions(Infinity, 200);
    try {
      const [result] = (await runSuite({ url: daemon.url, token: daemon.token, profile: 'scripted', only: ['PERM-003'] })).results;
      expect(result?.status).toBe('fail');
      expect(result?.message).toMatch(/expired .* before the check could answer it, so the daemon rightly answered 404; give the daemon a longer permission timeout/);
      expect(result?.notes).toHaveLength(2);
    } finally {
      await daemon.close();
    }
  });
});
