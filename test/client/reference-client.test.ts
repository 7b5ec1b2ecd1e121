/**
 * The client suite's runner with the in-process reference client: the report has the daemon
 * suite's shape (one runner core, one set of reporters). That the reference client passes every
 * case is harness.test.ts (all cases) and `npm run mutants` (the clean control).
 */
import { describe, expect, it } from 'vitest';
import { renderJunit, renderPretty } from '../../conformance/reporters/index.js';
import { allClientCases } from '../../client-conformance/cases/index.js';
import { referenceDriver } from '../../client-conformance/reference-client/driver.js';
import { runClientSuite } from '../../client-conformance/runner.js';

describe('client suite against the reference client', () => {
  it('passes, and reports like the daemon suite', async () => {
    const only = ['CLI-AUTH', 'CLI-RUN', 'CLI-ERR', 'CLI-SSE-002', 'CLI-SSE-004'];
    const report = await runClientSuite({ driver: referenceDriver(), label: 'reference client', only });
    const failed = report.results.filter((r) => r.status !== 'pass').map((r) => `${r.id}: ${r.message ?? ''}`);
    expect(failed).toEqual([]);
    expect(report.results.map((r) => r.id)).toEqual(allClientCases.filter((c) => only.includes(c.area) || only.includes(c.id)).map((c) => c.id));
    expect(report.ok).toBe(true);
    expect(report.suite).toBe('client');
    const pretty = renderPretty(report);
    expect(pretty).toContain(`${report.results.length} passed, 0 failed, 0 skipped`);
    expect(pretty).toContain('client reference client');
    expect(renderJunit(report)).toContain('classname="glue-conformance.client.CLI-SSE"');
  }, 60_000);
});
