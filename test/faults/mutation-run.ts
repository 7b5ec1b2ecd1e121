/**
 * Runs the conformance suite against fault-injected reference daemons and compares what failed
 * with the catalogue. Shared by test/faults/faults.test.ts and `npm run mutants`.
 */
import { SuiteError, runSuite } from '../../conformance/runner.js';
import type { SuiteReport } from '../../conformance/types.js';
import { createFaultyServer, listFaults } from '../../reference-server/faults/index.js';
import type { FaultDefinition } from '../../reference-server/faults/index.js';
import { loadMockHost } from '../../reference-server/mock-host/index.js';
import { serveNode } from '../../reference-server/serve-node.js';

/**
 * The daemons' permission timeout. Checks such as PERM-009 send several requests before their
 * decision; with 300 ms, a 2-core box running several daemons at once let the request expire
 * first, so the clean daemon failed. With 1.5 s, a clean-clone npm test (load ~6) once had the
 * clean minimal daemon deny its request more than PERM-010's 750 ms (half the timeout) after
 * expires_at: the daemons share the test worker's event loop. 2.5 s gives 1.25 s.
 */
export const PERMISSION_TIMEOUT_MS = 2_500;
/** Budget of one check: generous for a loaded CI box, small enough that a hanging stream ends soon. */
export const CHECK_TIMEOUT_MS = 10_000;

export interface DaemonRun {
  /** Ids of the checks that failed (MUST and SHOULD). */
  failed: string[];
  /** Set when the suite refused to run (unreachable daemon, token rejected): `suite:<kind>`. */
  suiteError?: string;
  report?: SuiteReport;
  durationMs: number;
}

export interface FaultOutcome extends DaemonRun {
  fault: FaultDefinition;
  /** Listed in `mustFail` but passed (or skipped). */
  missed: string[];
  /** Failed although not listed. */
  extra: string[];
  /** At least one check (or the suite's own preflight) failed. */
  killed: boolean;
}

/** A fresh token per daemon; never printed. */
const newToken = (): string => `fault-kit-${crypto.randomUUID()}`;

/** Starts a reference daemon with `faults` on 127.0.0.1:0, runs the scripted suite against it, stops it. */
export async function runSuiteAgainst(faults: readonly string[], options: { concurrency?: number; minimal?: boolean; only?: readonly string[] } = {}): Promise<DaemonRun> {
  const started = Date.now();
  const token = newToken();
  // The full host keeps sessions (as `--embedded` does) so the SESS checks run; the minimal one, like Go, does not.
  const host = loadMockHost({ minimal: options.minimal === true, sessions: options.minimal !== true });
  const server = createFaultyServer({ token, host, permissionTimeoutMs: PERMISSION_TIMEOUT_MS, faults });
  const node = await serveNode(server, { host: '127.0.0.1', port: 0, closeGraceMs: 200 });
  try {
    const report = await runSuite({
      url: node.url,
      token,
      profile: 'scripted',
      permissionTimeoutMs: PERMISSION_TIMEOUT_MS,
      timeoutMs: CHECK_TIMEOUT_MS,
      ...(options.concurrency ? { concurrency: options.concurrency } : {}),
      ...(options.only ? { only: options.only } : {}),
    });
    const failed = report.results.filter((result) => result.status === 'fail').map((result) => result.id);
    return { failed, report, durationMs: Date.now() - started };
  } catch (error) {
    if (error instanceof SuiteError) return { failed: [], suiteError: `suite:${error.kind}`, durationMs: Date.now() - started };
    throw error;
  } finally {
    await server.shutdown().catch(() => undefined);
    await node.close();
    await server.close().catch(() => undefined);
  }
}

/**
 * `listedOnly` runs just the checks the catalogue lists for the fault (the suite's pre-flight
 * always runs, so `suite:<kind>` entries still show): the same verdict on `missed` and `killed`
 * in a fraction of the time, but no `extra` figures. `npm run mutants` runs the whole suite.
 */
export async function runFault(fault: FaultDefinition, options: { listedOnly?: boolean } = {}): Promise<FaultOutcome> {
  const listedChecks = fault.mustFail.filter((id) => !id.startsWith('suite:'));
  const only = options.listedOnly ? (listedChecks.length > 0 ? listedChecks : ['HEALTH']) : undefined;
  const run = await runSuiteAgainst([fault.name], { minimal: fault.host === 'minimal', ...(only ? { only } : {}) });
  // A suite that refuses to start counts as catching the fault; the catalogue names it `suite:<kind>`.
  const caught = run.suiteError ? [run.suiteError] : run.failed;
  return {
    ...run,
    fault,
    missed: fault.mustFail.filter((id) => !caught.includes(id)),
    extra: caught.filter((id) => !fault.mustFail.includes(id)),
    killed: caught.length > 0,
  };
}

/** Runs `items` through `work` with at most `limit` in flight, keeping the input order. */
export async function mapBounded<T, R>(items: readonly T[], limit: number, work: (item: T) => Promise<R>): Promise<R[]> {
  const results: R[] = new Array<R>(items.length);
  let next = 0;
  const worker = async (): Promise<void> => {
    for (let index = next++; index < items.length; index = next++) results[index] = await work(items[index] as T);
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return results;
}

export async function runAllFaults(options: { concurrency?: number; only?: readonly string[]; listedOnly?: boolean; onOutcome?: (outcome: FaultOutcome) => void } = {}): Promise<FaultOutcome[]> {
  // With listedOnly, a fault that lists no check has nothing to verify (it is a todo in the test).
  const faults = listFaults().filter((fault) => (!options.only || options.only.includes(fault.name)) && (!options.listedOnly || fault.mustFail.length > 0));
  return mapBounded(faults, options.concurrency ?? 6, async (fault) => {
    const outcome = await runFault(fault, { listedOnly: options.listedOnly === true });
    options.onOutcome?.(outcome);
    return outcome;
  });
}
