/**
 * What every reporter agrees on about one result: whether a failure fails the run (MUST, not
 * baselined, or a stale baseline entry), its display verdict, and the short rule used in titles.
 */
import type { CheckResult } from '../types.js';

export type Verdict = 'pass' | 'fail' | 'should-fail' | 'expected-fail' | 'skip' | 'flaky';

/** True when this result alone makes the exit code 1 (a flaky one unless `--allow-flaky`). */
export function failsRun(result: CheckResult, allowFlaky = false): boolean {
  if (result.status === 'flaky') return !allowFlaky;
  return result.status === 'fail' && (result.staleBaseline === true || (result.level === 'MUST' && result.expected !== true));
}

export function verdictOf(result: CheckResult): Verdict {
  const status: string = result.status;
  if (status === 'flaky') return 'flaky';
  if (status === 'pass') return 'pass';
  if (status === 'skip') return 'skip';
  if (failsRun(result)) return 'fail';
  return result.expected ? 'expected-fail' : 'should-fail';
}

export const VERDICT_LABEL: Readonly<Record<Verdict, string>> = {
  pass: 'passed',
  fail: 'failed',
  'should-fail': 'SHOULD failed',
  'expected-fail': 'expected failure',
  skip: 'skipped',
  flaky: 'flaky',
};

/** The rule without its final period, cut at a word boundary to `max` characters. */
export function shortRule(rule: string, max = 72): string {
  const text = rule.trim().replace(/\.$/, '');
  if (text.length <= max) return text;
  const cut = text.slice(0, max - 1);
  const space = cut.lastIndexOf(' ');
  return `${(space > max / 2 ? cut.slice(0, space) : cut).replace(/[,;:]$/, '')}…`;
}
