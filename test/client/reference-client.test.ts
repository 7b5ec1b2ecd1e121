/**
 * Specificity of the client suite: the kit's reference client (in process) passes every case,
 * and the report has the daemon suite's shape (one runner core, one set of reporters).
 */
import { describe, expect, it } from 'vitest';
import { renderJunit, renderPretty } from '../../conformance/reporters/index.js';
import { allClientCases } from '../../client-conformance/cases/index.js';
import { referenceDriver } from '../../client-conformance/reference-client/driver.js';
import { runClientSuite } from '../../client-conformance/runner.js';

describe('client suite against the reference client', () => {
  it('passes every case, MUST and SHOULD', async () => {
    const report = await runClientSuite({ driver: referenceDriver(), label: 'reference client' });
    const failed = report.results.filter((r) => r.status !== 'pass').map((r) => `${r.id}: ${r.message ?? ''}`);
    expect(failed).toEqual([]);
    expect(report.results.map((r) => r.id)).toEqual(allClientCases.map((c) => c.id));
    expect(report.ok).toBe(true);
    expect(report.suite).toBe('client');
    const pretty = renderPretty(report);
    expect(pretty).toContain(`${allClientCases.length} passed, 0 failed, 0 skipped`);
    expect(pretty).toContain('client reference client');
    expect(renderJunit(report)).toContain('classname="glue-conformance.client.CLI-SSE"');
  }, 60_000);
});
