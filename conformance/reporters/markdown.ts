/**
 * `--reporter markdown[=PATH]`: GitHub-flavoured Markdown for `$GITHUB_STEP_SUMMARY` (or a PR
 * comment): the verdict, counts by area, then each failure behind a <details> with its rule,
 * reference, message and the exchanges it is about. Passing checks are only counted, so the
 * summary stays short; the whole text stays well under GitHub's 1 MiB step-summary limit.
 */
import { kitVersion } from '../kit-version.js';
import { areasOf } from '../outcome.js';
import type { CheckResult, SuiteReport } from '../types.js';
import { exchangeLines } from './exchange-text.js';
import { failsRun, verdictOf, VERDICT_LABEL, type Verdict } from './verdict.js';

/** GitHub's step summary limit is 1 MiB; stop adding failure details well before it. */
const MAX_CHARS = 512 * 1024;
const EXCHANGES_PER_FAILURE = 2;

const ICON: Readonly<Record<Verdict, string>> = { pass: '✅', fail: '❌', 'should-fail': '⚠️', 'expected-fail': '➖', flaky: '🔁', skip: '⏭️' };

/** Text for Markdown outside code: HTML-significant characters escaped (GitHub renders HTML), table pipes, no line breaks. */
export function escapeMarkdown(text: string): string {
  return text
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/([\\`*_[\]|#~])/g, '\\$1')
    .replace(/\r?\n/g, ' ')
    // eslint-disable-next-line no-control-regex
    .replace(/[\u0000-\u001F\u007F]/g, (c) => `\\x${c.charCodeAt(0).toString(16).padStart(2, '0')}`);
}

/** A fenced block whose fence is longer than any backtick run inside it. */
function codeBlock(text: string): string {
  const longest = Math.max(2, ...[...text.matchAll(/`+/g)].map((m) => m[0].length));
  const fence = '`'.repeat(longest + 1);
  // eslint-disable-next-line no-control-regex
  const clean = text.replace(/[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F]/g, (c) => `\\x${c.charCodeAt(0).toString(16).padStart(2, '0')}`);
  return `${fence}text\n${clean}\n${fence}`;
}

function failureDetails(result: CheckResult): string {
  const verdict = verdictOf(result);
  const lines = [
    `<details><summary>${ICON[verdict]} <code>${escapeMarkdown(result.id)}</code> ${result.level} ${VERDICT_LABEL[verdict]}: ${escapeMarkdown(result.rule)}</summary>`,
    '',
    `reference: ${escapeMarkdown(result.reference)}${result.brokenRule ? ` · first broken rule: \`${result.brokenRule}\`` : ''}`,
    '',
    codeBlock(result.message ?? 'failed'),
  ];
  if (result.attempts) lines.push('', `verdicts per run: ${result.attempts.map((a) => a.status).join(' ')}`);
  for (const note of result.notes) lines.push('', `note: ${escapeMarkdown(note)}`);
  // The failing exchange and the one before it, in the order they happened.
  const failed = result.failedExchange ?? result.exchanges.length - 1;
  const first = Math.max(0, failed - EXCHANGES_PER_FAILURE + 1);
  for (let i = first; i <= failed && i < result.exchanges.length; i++) {
    lines.push('', `exchange ${i + 1}/${result.exchanges.length}${i === result.failedExchange ? ' (the failure is about this one)' : ''}:`, '', codeBlock(exchangeLines(result.exchanges[i]!).join('\n')));
  }
  lines.push('', '</details>');
  return lines.join('\n');
}

export function renderMarkdown(report: SuiteReport): string {
  const version = report.kitVersion ?? kitVersion();
  const allowFlaky = report.allowFlaky === true;
  const { summary } = report;
  const gating = report.results.filter((r) => failsRun(r, allowFlaky));
  const head = report.ok ? `✅ every MUST check passed${summary.shouldFailed > 0 ? ` (${summary.shouldFailed} SHOULD check(s) failed)` : ''}` : `❌ ${gating.length} check(s) fail the run`;
  const out: string[] = [
    `## glue-conformance: ${head}`,
    '',
    `**${summary.passed} passed, ${summary.failed} failed, ${summary.skipped} skipped${summary.flaky > 0 ? `, ${summary.flaky} flaky` : ''}** · ${report.suite === 'client' ? 'client' : 'daemon'} \`${report.url.replace(/`/g, "'")}\` · profile ${report.profile} · ${(report.durationMs / 1000).toFixed(1)} s · glue-conformance ${escapeMarkdown(version)}`,
    '',
    '| area | ✅ passed | ❌ failed | ⚠️ SHOULD failed | ➖ expected | 🔁 flaky | ⏭️ skipped |',
    '|---|---:|---:|---:|---:|---:|---:|',
  ];
  const order: Verdict[] = ['pass', 'fail', 'should-fail', 'expected-fail', 'flaky', 'skip'];
  const row = (label: string, results: readonly CheckResult[]): string => `| ${label} | ${order.map((v) => results.filter((r) => verdictOf(r) === v).length).join(' | ')} |`;
  for (const area of areasOf(report.results)) out.push(row(escapeMarkdown(area), report.results.filter((r) => r.area === area)));
  out.push(row('**all**', report.results));

  const problems = report.results.filter((r) => ['fail', 'should-fail', 'expected-fail', 'flaky'].includes(verdictOf(r)));
  if (problems.length > 0) {
    // Failures of the run first, then the ones that are only reported.
    const sorted = [...problems.filter((r) => failsRun(r, allowFlaky)), ...problems.filter((r) => !failsRun(r, allowFlaky))];
    out.push('', '### Failures', '');
    let size = out.join('\n').length;
    for (const [index, result] of sorted.entries()) {
      const block = failureDetails(result);
      if (size + block.length > MAX_CHARS) {
        out.push(`… ${sorted.length - index} more failure(s) not shown here; see the full report (JSON, JUnit or HTML).`);
        break;
      }
      out.push(block, '');
      size += block.length + 1;
    }
  }
  return `${out.join('\n')}\n`;
}
