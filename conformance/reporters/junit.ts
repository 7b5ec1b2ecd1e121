/**
 * JUnit XML for CI: one <testsuite> per area, one <testcase> per check, <failure> with the message
 * and exchanges, <skipped> with the reason. A failing SHOULD is a failure of type "SHOULD": CI
 * shows it, while the CLI's exit code only gates on MUST.
 */
import { formatExchange } from '../../src/protocol/http-client.js';
import { areasOf } from '../outcome.js';
import type { CheckResult, SuiteReport } from '../types.js';

// XML 1.0 forbids most control characters even when escaped.
// eslint-disable-next-line no-control-regex
const INVALID_XML = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]/g;

export function escapeXml(text: string): string {
  return text
    .replace(INVALID_XML, '\uFFFD')
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&apos;');
}

const seconds = (ms: number): string => (ms / 1000).toFixed(3);

function testcase(result: CheckResult, report: SuiteReport): string {
  const open = `    <testcase classname="glue-conformance${report.suite === 'client' ? '.client' : ''}.${result.area}" name="${escapeXml(`${result.id} ${result.level}: ${result.rule}`)}" time="${seconds(result.durationMs)}"`;
  if (result.status === 'pass') return `${open}/>`;
  if (result.status === 'skip') return `${open}>\n      <skipped message="${escapeXml(result.message ?? '')}"/>\n    </testcase>`;
  // A baselined failure must not turn CI red: it is shown as skipped, with its message.
  if (result.expected) return `${open}>\n      <skipped message="${escapeXml(`expected failure: ${result.message ?? ''}`)}"/>\n    </testcase>`;
  const details = [
    `reference: ${result.reference}`,
    result.message ?? 'failed',
    ...result.notes.map((n) => `note: ${n}`),
    ...result.exchanges.slice(0, 3).map((e) => formatExchange(e)),
  ].join('\n\n');
  return `${open}>\n      <failure message="${escapeXml(result.message ?? 'failed')}" type="${result.level}">${escapeXml(details)}</failure>\n    </testcase>`;
}

export function renderJunit(report: SuiteReport): string {
  const count = (results: CheckResult[], status: CheckResult['status']) =>
    results.filter((r) => (r.expected ? 'skip' : r.status) === status).length;
  const suites: string[] = [];
  for (const area of areasOf(report.results)) {
    const results = report.results.filter((r) => r.area === area);
    if (results.length === 0) continue;
    const time = results.reduce((sum, r) => sum + r.durationMs, 0);
    suites.push(
      `  <testsuite name="${area}" tests="${results.length}" failures="${count(results, 'fail')}" errors="0" skipped="${count(results, 'skip')}" time="${seconds(time)}" timestamp="${escapeXml(report.startedAt.replace(/Z$/, ''))}">\n` +
        results.map((r) => testcase(r, report)).join('\n') +
        '\n  </testsuite>',
    );
  }
  const { summary } = report;
  return (
    '<?xml version="1.0" encoding="UTF-8"?>\n' +
    `<testsuites name="glue-conformance ${escapeXml(report.url)}" tests="${summary.total}" failures="${summary.failed - summary.expectedFailed}" errors="0" skipped="${summary.skipped + summary.expectedFailed}" time="${seconds(report.durationMs)}">\n` +
    suites.join('\n') +
    '\n</testsuites>\n'
  );
}
