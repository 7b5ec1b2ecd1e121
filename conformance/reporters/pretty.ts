/**
 * The console report: one line per check as it finishes, then the failures with their exchanges,
 * a per-area summary and the final `N passed, N failed, N skipped` line.
 */
import { formatExchange } from '../../src/protocol/http-client.js';
import { areasOf } from '../outcome.js';
import type { CheckResult, SuiteReport } from '../types.js';

export interface PrettyOptions {
  /** ANSI colours (default: off; the CLI turns them on for a TTY without NO_COLOR). */
  color?: boolean;
  /** The result lines were already printed live; render only details and summary. */
  progressShown?: boolean;
  /** Exchanges shown per failure (default 2). */
  exchangesPerFailure?: number;
}

const paint = (on: boolean, code: string) => (text: string) => (on ? `\u001b[${code}m${text}\u001b[0m` : text);

/** One line for a finished check, e.g. `✗ SSE-005 MUST seq starts at 1… — expected seq 3 after 2, got 5`. */
export function formatResultLine(result: CheckResult, options: PrettyOptions = {}): string {
  const color = options.color ?? false;
  const green = paint(color, '32');
  const red = paint(color, '31');
  const yellow = paint(color, '33');
  const dim = paint(color, '2');
  const time = dim(`(${result.durationMs} ms)`);
  const level = `${result.level}${tagText(result)}`;
  if (result.status === 'pass') return `${green('✓')} ${result.id} ${level} ${result.rule} ${time}`;
  if (result.status === 'skip') return `${dim('-')} ${result.id} ${level} ${dim(`${result.rule} — skipped: ${result.message ?? ''}`)}`;
  if (result.status === 'flaky') return `${yellow('?')} ${result.id} ${level} ${result.rule} — flaky: ${result.message ?? 'verdict changed'} ${time}`;
  const mark = result.expected ? yellow('~') : result.level === 'MUST' ? red('✗') : yellow('!');
  return `${mark} ${result.id} ${level} ${result.rule} — ${result.expected ? '(expected failure) ' : ''}${result.message ?? 'failed'} ${time}`;
}

/** ` [timing]` for a tagged check, else nothing. */
function tagText(result: CheckResult): string {
  return result.tags && result.tags.length > 0 ? ` [${result.tags.join(',')}]` : '';
}

/** `N passed, N failed, N skipped`, plus `, N flaky` when the run repeated checks or found a flaky one. */
export function summaryLine(report: SuiteReport): string {
  const { passed, failed, skipped, flaky } = report.summary;
  const repeated = (report.repeat ?? 1) > 1 || flaky > 0;
  return `${passed} passed, ${failed} failed, ${skipped} skipped${repeated ? `, ${flaky} flaky` : ''}`;
}

export function renderPretty(report: SuiteReport, options: PrettyOptions = {}): string {
  const color = options.color ?? false;
  const bold = paint(color, '1');
  const lines: string[] = [];
  if (!options.progressShown) for (const result of report.results) lines.push(formatResultLine(result, options));

  const failures = report.results.filter((r) => r.status === 'fail' || r.status === 'flaky');
  if (failures.length > 0) {
    lines.push('', bold('Failures'));
    for (const failure of failures) {
      lines.push('', `${failure.id} ${failure.level}${tagText(failure)} ${failure.rule}${failure.status === 'flaky' ? ' (flaky)' : ''}`, `  reference: ${failure.reference}`, `  ${failure.message ?? 'failed'}`);
      if (failure.status === 'flaky' && failure.attempts) lines.push(`  verdicts: ${failure.attempts.map((a) => a.status).join(' ')}`);
      for (const note of failure.notes) lines.push(`  note: ${note}`);
      for (const exchange of failure.exchanges.slice(0, options.exchangesPerFailure ?? 2)) {
        lines.push(...formatExchange(exchange).split('\n').map((l) => `    ${l}`));
      }
    }
  }

  lines.push('', bold('Summary'));
  for (const area of areasOf(report.results)) {
    const inArea = report.results.filter((r) => r.area === area);
    if (inArea.length === 0) continue;
    const count = (s: CheckResult['status']) => inArea.filter((r) => r.status === s).length;
    const flaky = count('flaky');
    lines.push(`  ${area.padEnd(7)} ${count('pass')} passed, ${count('fail')} failed, ${count('skip')} skipped${flaky > 0 ? `, ${flaky} flaky` : ''}`);
  }
  const { mustFailed, shouldFailed, expectedFailed, flaky } = report.summary;
  const runs = (report.repeat ?? 1) > 1 ? ` × ${report.repeat} runs` : '';
  if (expectedFailed > 0) lines.push(`  ${expectedFailed} failure(s) expected by the baseline`);
  const flakyText = flaky > 0 ? `; ${flaky} flaky check(s)${report.allowFlaky ? ' (allowed by --allow-flaky)' : ''}` : '';
  lines.push(
    report.suite === 'client'
      ? `  client ${report.url}, ${report.results.length} cases${runs} in ${(report.durationMs / 1000).toFixed(1)} s`
      : `  daemon ${report.url}, profile ${report.profile}, ${report.results.length} checks${runs} in ${(report.durationMs / 1000).toFixed(1)} s`,
    mustFailed === 0 && !report.results.some((r) => r.staleBaseline)
      ? `  every MUST check passed${shouldFailed > 0 ? ` (${shouldFailed} SHOULD check(s) failed)` : ''}${flakyText}`
      : `  ${mustFailed} MUST check(s) failed${shouldFailed > 0 ? `, ${shouldFailed} SHOULD` : ''}${flakyText}`,
    summaryLine(report),
  );
  return lines.join('\n');
}
