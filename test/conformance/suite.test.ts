import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { allChecks } from '../../conformance/checks/index.js';
import { renderJson } from '../../conformance/reporters/index.js';
import { runSuite } from '../../conformance/runner.js';
import { createRedactor } from '../../src/output/index.js';
import type { SuiteReport } from '../../conformance/types.js';
import { startDaemon, type TestDaemon } from './support.js';

function failures(report: SuiteReport): string[] {
  return report.results.filter((r) => r.status === 'fail').map((r) => `${r.id}: ${r.message ?? ''}`);
}

describe('the suite against the reference daemon (full host)', () => {
  let daemon: TestDaemon;
  beforeAll(async () => {
    // Full means every optional member, the opt-in session lookup too (as `--embedded`).
    daemon = await startDaemon({ sessions: true });
  });
  afterAll(() => daemon.close());

  it('passes every check of the scripted profile', async () => {
    const report = await runSuite({ url: daemon.url, token: daemon.token, profile: 'scripted', permissionTimeoutMs: daemon.permissionTimeoutMs });
    expect(failures(report)).toEqual([]);
    expect(report.ok).toBe(true);
    expect(report.summary.total).toBe(allChecks.length);
    // The full host advertises every capability, so the "missing capability" checks have nothing to test.
    expect(report.results.filter((r) => r.status === 'skip').map((r) => r.id)).toEqual(['CAP-001', 'CAP-002']);
  });

  it('skips the scripted checks with the reason in the any profile', async () => {
    const report = await runSuite({ url: daemon.url, token: daemon.token });
    expect(failures(report)).toEqual([]);
    const scripted = report.results.filter((r) => r.profile === 'scripted');
    expect(scripted.length).toBeGreaterThan(0);
    for (const result of scripted) {
      expect(result.status).toBe('skip');
      expect(result.message).toMatch(/scripted profile/);
    }
  });

  it('skips the timeout checks without --permission-timeout, saying so', async () => {
    const report = await runSuite({ url: daemon.url, token: daemon.token, profile: 'scripted', only: ['PERM'] });
    const timed = report.results.filter((r) => r.id === 'PERM-002' || r.id === 'PERM-010');
    expect(timed.map((r) => [r.status, r.message])).toEqual([
      ['skip', "needs the daemon's permission timeout (--permission-timeout)"],
      ['skip', "needs the daemon's permission timeout (--permission-timeout)"],
    ]);
    expect(failures(report)).toEqual([]);
  });

  it('selects by id and area, and by level', async () => {
    const report = await runSuite({ url: daemon.url, token: daemon.token, only: ['health', 'AUTH-001'], level: 'must' });
    expect(report.results.map((r) => r.id)).toEqual(['HEALTH-001', 'AUTH-001']);
  });

  it('never puts the token in a rendered report (the sink redacts; the report itself is faithful)', async () => {
    const report = await runSuite({ url: daemon.url, token: daemon.token, only: ['AUTH', 'STATUS'] });
    expect(JSON.stringify(report)).toContain(`"Authorization":"Bearer ${daemon.token}"`);
    const shown = createRedactor([daemon.token]).redact(renderJson(report));
    expect(shown).not.toContain(daemon.token);
    expect(shown).toContain('"Authorization": "Bearer ***"');
  });
});

describe('near-misses of the token', () => {
  it('are never shown, even when a broken daemon accepts them', async () => {
    const daemon = await startDaemon({
      // Accepts any credential that merely starts like the token, in any case.
      wrap: (next, token) => async (request) => {
        const auth = request.headers.get('authorization') ?? '';
        if (!auth.toLowerCase().startsWith(`bearer ${token.slice(0, 8)}`.toLowerCase())) return next(request);
        const headers = new Headers(request.headers);
        headers.set('authorization', `Bearer ${token}`);
        return next(new Request(request.url, { method: request.method, headers }));
      },
    });
    try {
      const report = await runSuite({ url: daemon.url, token: daemon.token, only: ['AUTH-003'] });
      expect(report.results[0]?.status).toBe('fail');
      const text = createRedactor([daemon.token]).redact(renderJson(report));
      const swapped = [...daemon.token].map((ch) => (ch === ch.toUpperCase() ? ch.toLowerCase() : ch.toUpperCase())).join('');
      for (const secret of [daemon.token, daemon.token.slice(0, -1), swapped]) expect(text).not.toContain(secret);
    } finally {
      await daemon.close();
    }
  });
});

describe('the suite against the reference daemon (minimal host)', () => {
  let daemon: TestDaemon;
  beforeAll(async () => {
    daemon = await startDaemon({ minimal: true });
  });
  afterAll(() => daemon.close());

  it('passes, and skips the checks of the capabilities a minimal host lacks', async () => {
    const report = await runSuite({ url: daemon.url, token: daemon.token, profile: 'scripted', permissionTimeoutMs: daemon.permissionTimeoutMs });
    expect(failures(report)).toEqual([]);
    const cap = report.results.filter((r) => r.area === 'CAP' && r.id !== 'CAP-004');
    expect(cap.every((r) => r.status === 'pass')).toBe(true);
    const skipped = report.results.filter((r) => r.status === 'skip');
    expect(skipped.length).toBeGreaterThan(0);
    for (const result of skipped) expect(result.message).toMatch(/^daemon does not advertise capability /);
  });
});

describe('expected-failures baseline', () => {
  let broken: TestDaemon;
  beforeAll(async () => {
    broken = await startDaemon({
      wrap: (next) => async (request) => (new URL(request.url).pathname === '/v1/health' ? Response.json({ ok: true, version: 2 }) : next(request)),
    });
  });
  afterAll(() => broken.close());

  it('a listed failure does not fail the suite', async () => {
    const report = await runSuite({ url: broken.url, token: broken.token, only: ['HEALTH-001', 'STATUS-001'], expectedFailures: ['health-001'] });
    expect(report.ok).toBe(true);
    expect(report.summary).toMatchObject({ failed: 1, expectedFailed: 1, mustFailed: 0 });
    expect(report.results[0]).toMatchObject({ id: 'HEALTH-001', status: 'fail', expected: true });
  });

  it('a listed check that passes fails the suite, whatever its level', async () => {
    const report = await runSuite({ url: broken.url, token: broken.token, only: ['STATUS-003'], expectedFailures: ['STATUS-003'] });
    expect(report.ok).toBe(false);
    expect(report.results[0]?.message).toMatch(/listed as an expected failure but passed/);
  });

  it('an unknown id in the baseline is a usage error', async () => {
    await expect(runSuite({ url: broken.url, token: broken.token, expectedFailures: ['NOPE-001'] })).rejects.toMatchObject({ kind: 'usage' });
  });
});
