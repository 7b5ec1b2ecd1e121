/**
 * The parts of a suite run that do not depend on what is tested: the bounded worker pool, the
 * expected-failures baseline (which cannot rot) and the summary with its pass/fail verdict. The
 * daemon suite (`runner.ts`) and the client suite (`client-conformance/runner.ts`) both use them,
 * so both gate, baseline and count the same way.
 */
import type { CheckResult, SuiteSummary, Verdict } from './types.js';

/** Normalised baseline ids (trimmed, upper case, blanks dropped). */
export function baselineIds(ids: readonly string[] | undefined): Set<string> {
  return new Set((ids ?? []).map((id) => id.trim().toUpperCase()).filter((id) => id !== ''));
}

/** Baseline ids no item of the registry has (a typo would otherwise hide a failure forever). */
export function unknownBaselineIds(expected: ReadonlySet<string>, registry: readonly { id: string }[]): string[] {
  return [...expected].filter((id) => !registry.some((item) => item.id === id));
}

/** A listed failure is expected; a listed check that passes fails, naming the stale entry. */
export function applyBaseline(result: CheckResult, expected: ReadonlySet<string>): CheckResult {
  if (!expected.has(result.id)) return result;
  if (result.status === 'fail') return { ...result, expected: true };
  if (result.status === 'pass') {
    return { ...result, status: 'fail', staleBaseline: true, message: `${result.id} is listed as an expected failure but passed; remove it from the expected-failures baseline` };
  }
  return result;
}

/**
 * Runs `work` over the items: `exclusive` items first, one at a time with nothing beside them, then
 * the rest with at most `concurrency` at once, `slow` items first.
 */
export async function runPool<T extends { slow?: boolean | undefined; exclusive?: boolean | undefined }, R>(items: readonly T[], concurrency: number, work: (item: T) => Promise<R>): Promise<Map<T, R>> {
  const results = new Map<T, R>();
  for (const item of items.filter((i) => i.exclusive)) results.set(item, await work(item));
  const shared = items.filter((i) => !i.exclusive);
  const queue = [...shared.filter((i) => i.slow), ...shared.filter((i) => !i.slow)];
  const worker = async (): Promise<void> => {
    for (let item = queue.shift(); item; item = queue.shift()) results.set(item, await work(item));
  };
  await Promise.all(Array.from({ length: Math.min(Math.max(1, Math.floor(concurrency)), queue.length) }, worker));
  return results;
}

/**
 * The executions of one check (`--repeat`) as one result: their common verdict, or `flaky` when it
 * changed. The first failure (else the first execution) supplies the message and the exchanges.
 */
export function aggregate(results: readonly CheckResult[]): CheckResult {
  const [first] = results;
  if (first === undefined) throw new Error('aggregate: no results');
  if (results.length === 1) return first;
  const counts = new Map<Verdict, number>();
  for (const r of results) if (r.status !== 'flaky') counts.set(r.status, (counts.get(r.status) ?? 0) + 1);
  const shown = results.find((r) => r.status === 'fail') ?? first;
  const attempts = results.map((r) => ({ status: r.status === 'flaky' ? 'fail' : r.status, durationMs: r.durationMs, ...(r.message !== undefined ? { message: r.message } : {}) }) as const);
  const durationMs = results.reduce((sum, r) => sum + r.durationMs, 0);
  if (counts.size === 1) return { ...shown, durationMs, attempts };
  const tally = (['pass', 'fail', 'skip'] as const).filter((v) => counts.has(v)).map((v) => `${counts.get(v)} ${v}`).join(', ');
  const detail = shown.message !== undefined ? ` — run ${results.indexOf(shown) + 1}: ${shown.message}` : '';
  return { ...shown, status: 'flaky', durationMs, attempts, message: `verdict changed over ${results.length} runs (${tally})${detail}` };
}

/**
 * Counts and the verdict: ok when no MUST failed outside the baseline, no baseline entry is stale,
 * and no check is flaky (unless `allowFlaky`).
 */
export function summarize(results: readonly CheckResult[], options: { allowFlaky?: boolean } = {}): { summary: SuiteSummary; ok: boolean } {
  const failed = results.filter((r) => r.status === 'fail');
  const counted = failed.filter((r) => !r.expected);
  const summary: SuiteSummary = {
    total: results.length,
    passed: results.filter((r) => r.status === 'pass').length,
    failed: failed.length,
    skipped: results.filter((r) => r.status === 'skip').length,
    flaky: results.filter((r) => r.status === 'flaky').length,
    mustFailed: counted.filter((r) => r.level === 'MUST').length,
    shouldFailed: counted.filter((r) => r.level === 'SHOULD').length,
    expectedFailed: failed.length - counted.length,
  };
  return { summary, ok: summary.mustFailed === 0 && !failed.some((r) => r.staleBaseline) && (options.allowFlaky === true || summary.flaky === 0) };
}

/** The areas of a report in the order their results come (reporters group by them). */
export function areasOf(results: readonly { area: string }[]): string[] {
  return [...new Set(results.map((r) => r.area))];
}
