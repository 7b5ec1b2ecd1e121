/**
 * The console report: one line per check as it finishes, then the failures with their exchanges
 * (in the order they happened, the failing one marked), a per-area summary and the final
 * `N passed, N failed, N skipped` line. Everything wraps at 80 columns with a hanging indent.
 */
import { styled, type Style } from '../../src/output/style.js';
import { areasOf } from '../outcome.js';
import { kitVersion } from '../kit-version.js';
import type { CheckResult, SuiteReport } from '../types.js';
import { exchangeLines, exchangeTitle, wrapLine, wrapLines } from './exchange-text.js';
import { verdictOf } from './verdict.js';

export interface PrettyOptions {
  /**
   * Style markers for colours (default: off). They become ANSI colours only in a console sink
   * with colour on (src/output/sink.ts); anywhere else they are dropped.
   */
  color?: boolean;
  /** The result lines were already printed live; render only details and summary. */
  progressShown?: boolean;
  /** Exchanges shown per failure (default 3: the failing one and the two before it). */
  exchangesPerFailure?: number;
  /** Columns to wrap at (default 80). */
  width?: number;
}

const paint = (on: boolean, style: Style) => (text: string) => (on ? styled(style, text) : text);

const MARKS = { pass: '✓', fail: '✗', 'should-fail': '!', 'expected-fail': '~', skip: '-', flaky: '?' } as const;

/** One line (wrapped) for a finished check, e.g. `✗ SSE-005 MUST seq starts at 1… — expected seq 5 after 4, got 7`. */
export function formatResultLine(result: CheckResult, options: PrettyOptions = {}): string {
  return resultLines(result, options).join('\n');
}

/** The wrapped lines of `formatResultLine`, one entry per line (for a console sink). */
export function resultLines(result: CheckResult, options: PrettyOptions = {}): string[] {
  const color = options.color ?? false;
  const verdict = verdictOf(result);
  const tone: Style = verdict === 'pass' ? 'green' : verdict === 'fail' ? 'red' : verdict === 'skip' ? 'dim' : 'yellow';
  const time = `(${result.durationMs} ms)`;
  let text: string;
  const level = `${result.level}${tagText(result)}`;
  if (verdict === 'pass') text = `${result.id} ${level} ${result.rule} ${time}`;
  else if (verdict === 'skip') text = `${result.id} ${level} ${result.rule} — skipped: ${result.message ?? ''}`;
  else if (verdict === 'flaky') text = `${result.id} ${level} ${result.rule} — flaky: ${result.message ?? 'verdict changed'} ${time}`;
  else text = `${result.id} ${level} ${result.rule} — ${verdict === 'expected-fail' ? '(expected failure) ' : ''}${result.message ?? 'failed'} ${time}`;
  const lines = wrapLine(`${MARKS[verdict]} ${text}`, options.width ?? 80, 2);
  if (!color) return lines;
  const mark = paint(true, tone)(MARKS[verdict]);
  return lines.map((line, i) => (i === 0 ? mark + (verdict === 'skip' ? paint(true, 'dim')(line.slice(1)) : line.slice(1)) : verdict === 'skip' ? paint(true, 'dim')(line) : line));
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
  return prettyLines(report, options).join('\n');
}

/** The console report as lines (a console sink escapes anything in a line that is not text). */
export function prettyLines(report: SuiteReport, options: PrettyOptions = {}): string[] {
  const color = options.color ?? false;
  const bold = paint(color, 'bold');
  const lines: string[] = [];
  if (!options.progressShown) for (const result of report.results) lines.push(...resultLines(result, options));

  const width = options.width ?? 80;
  const failures = report.results.filter((r) => r.status === 'fail' || r.status === 'flaky');
  if (failures.length > 0) {
    lines.push('', bold('Failures'));
    for (const failure of failures) {
      const detail = [`${failure.id} ${failure.level}${tagText(failure)} ${failure.rule}${failure.status === 'flaky' ? ' (flaky)' : ''}`, `  reference: ${failure.reference}`, `  ${failure.message ?? 'failed'}`];
      if (failure.status === 'flaky' && failure.attempts) detail.push(`  verdicts: ${failure.attempts.map((a) => a.status).join(' ')}`);
      detail.push(...failure.notes.map((note) => `  note: ${note}`));
      lines.push('', ...wrapLines(detail, width, 2));
      lines.push(...exchangeBlock(failure, options.exchangesPerFailure ?? 3, width));
    }
  }

  lines.push('', bold('Summary'));
  // Client areas (CLI-CANCEL) are longer than the daemon ones.
  const areaWidth = Math.max(7, ...areasOf(report.results).map((a) => a.length));
  for (const area of areasOf(report.results)) {
    const inArea = report.results.filter((r) => r.area === area);
    if (inArea.length === 0) continue;
    const count = (s: CheckResult['status']) => inArea.filter((r) => r.status === s).length;
    const flaky = count('flaky');
    lines.push(`  ${area.padEnd(areaWidth)} ${count('pass')} passed, ${count('fail')} failed, ${count('skip')} skipped${flaky > 0 ? `, ${flaky} flaky` : ''}`);
  }
  const { mustFailed, shouldFailed, expectedFailed, flaky } = report.summary;
  const runs = (report.repeat ?? 1) > 1 ? ` × ${report.repeat} runs` : '';
  if (expectedFailed > 0) lines.push(`  ${expectedFailed} failure(s) expected by the baseline`);
  const flakyText = flaky > 0 ? `; ${flaky} flaky check(s)${report.allowFlaky ? ' (allowed by --allow-flaky)' : ''}` : '';
  const kit = `glue-conformance ${report.kitVersion ?? kitVersion()}`;
  lines.push(
    ...wrapLine(
      report.suite === 'client'
        ? `  client ${report.url}, ${report.results.length} cases${runs} in ${(report.durationMs / 1000).toFixed(1)} s, ${kit}`
        : `  daemon ${report.url}, profile ${report.profile}, ${report.results.length} checks${runs} in ${(report.durationMs / 1000).toFixed(1)} s, ${kit}`,
      width,
      2,
    ),
    mustFailed === 0 && !report.results.some((r) => r.staleBaseline)
      ? `  every MUST check passed${shouldFailed > 0 ? ` (${shouldFailed} SHOULD check(s) failed)` : ''}${flakyText}`
      : `  ${mustFailed} MUST check(s) failed${shouldFailed > 0 ? `, ${shouldFailed} SHOULD` : ''}${flakyText}`,
    summaryLine(report),
  );
  return lines;
}

/**
 * The exchanges of a failure in the order they happened: the failing one and up to `max - 1`
 * before it, each numbered, the failing one marked, long lines wrapped.
 */
function exchangeBlock(result: CheckResult, max: number, width: number): string[] {
  const all = result.exchanges;
  if (all.length === 0) return [];
  const failed = result.failedExchange ?? all.length - 1;
  const first = Math.max(0, Math.min(failed - max + 1, all.length - max));
  const out: string[] = [];
  if (first > 0) out.push(`    … ${first} earlier exchange${first === 1 ? '' : 's'} not shown`);
  for (let i = first; i < Math.min(all.length, first + max); i++) {
    const exchange = all[i]!;
    out.push(...wrapLine(`  exchange ${i + 1}/${all.length}${i === result.failedExchange ? ' (the failure is about this one)' : ''}: ${exchangeTitle(exchange)}`, width, 4));
    out.push(...wrapLines(exchangeLines(exchange).map((l) => `    ${l}`), width, 2));
  }
  return out;
}
