/**
 * Sensitivity of the client suite: each client fault, switched on in the reference client, makes
 * every case it lists fail (and the clean client passes them, in harness.test.ts). Runs
 * in process, only the listed cases per fault, faults in parallel.
 */
import { describe, expect, it } from 'vitest';
import { allClientCases } from '../../client-conformance/cases/index.js';
import { referenceDriver } from '../../client-conformance/reference-client/driver.js';
import { listClientFaults } from '../../client-conformance/reference-client/faults.js';
import { runClientSuite } from '../../client-conformance/runner.js';

describe('client faults', () => {
  const faults = listClientFaults();

  it('are at least 20, each naming cases that exist', () => {
    expect(faults.length).toBeGreaterThanOrEqual(20);
    const ids = new Set(allClientCases.map((c) => c.id));
    for (const fault of faults) for (const id of fault.mustFail) expect(ids, `${fault.name} lists ${id}`).toContain(id);
  });

  it('every case is made to fail by at least one fault', () => {
    const targeted = new Set(faults.flatMap((f) => f.mustFail));
    expect(allClientCases.filter((c) => !targeted.has(c.id)).map((c) => c.id)).toEqual([]);
  });

  it('each fault makes its listed cases fail', async () => {
    const outcomes = await Promise.all(
      faults.map(async (fault) => {
        const report = await runClientSuite({ driver: referenceDriver({ faults: new Set([fault.name]) }), only: [...fault.mustFail], concurrency: 4 });
        const passed = report.results.filter((r) => r.status !== 'fail').map((r) => r.id);
        return { fault: fault.name, passed };
      }),
    );
    expect(outcomes.filter((o) => o.passed.length > 0)).toEqual([]);
  }, 60_000);
});
