/**
 * JUnit XML for CI: one <testsuite> per area, one <testcase> per check named `ID: short rule`,
 * <failure> with the message and exchanges, <skipped> with the reason. Only a failure that fails
 * the run (exit 1) is a <failure>: a failing SHOULD check, or a baselined failure, is reported as
 * <skipped message="SHOULD failed: …"> (or "expected failure: …") with the details in <system-out>,
 * so a CI test reporter is red exactly when the exit code is. Ant's XSD: timestamps without
 * fractional seconds or zone; the kit version is a property of every suite. A flaky check
 * (`--repeat`) is a <failure type="flaky">, or Surefire's <flakyFailure> (shown, not red) under
 * `--allow-flaky`; its verdicts, and a check's tags, are <properties> of the testcase.
 */
import { escapeControl } from '../../src/output/escape.js';
import { formatExchange } from '../../src/protocol/http-client.js';
import { areasOf } from '../outcome.js';
import { kitVersion } from '../kit-version.js';
import type { CheckResult, SuiteReport } from '../types.js';
import { failsRun, shortRule } from './verdict.js';

// XML 1.0 cannot hold most C0 controls even as character references, and DEL/C1 are
// "discouraged" (and act on terminals): all of them are shown as visible escapes (`\x1b`).
// eslint-disable-next-line no-control-regex
const INVALID_XML = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F-\u009F\uFFFE\uFFFF]/g;

export function escapeXml(text: string): string {
  return text
    .replace(INVALID_XML, escapeControl)
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&apos;');
}

const seconds = (ms: number): string => (ms / 1000).toFixed(3);

function details(result: CheckResult): string {
  return [
    `${result.id} ${result.level}: ${result.rule}`,
    `reference: ${result.reference}`,
    result.message ?? 'failed',
    ...result.notes.map((n) => `note: ${n}`),
    ...result.exchanges.slice(0, 3).map((e) => formatExchange(e)),
  ].join('\n\n');
}

/** The testcase's tags, flaky status and verdicts per run, when it has any. */
function caseProperties(result: CheckResult): string {
  const entries = [
    ...(result.tags ?? []).map((tag) => ['tag', tag] as const),
    ...(result.status === 'flaky' ? [['status', 'flaky'] as const] : []),
    ...(result.attempts ? [['verdicts', result.attempts.map((a) => a.status).join(' ')] as const] : []),
  ];
  if (entries.length === 0) return '';
  return `\n      <properties>${entries.map(([name, value]) => `<property name="${name}" value="${escapeXml(value)}"/>`).join('')}</properties>`;
}

function testcase(result: CheckResult, report: SuiteReport): string {
  const open = `    <testcase classname="glue-conformance${report.suite === 'client' ? '.client' : ''}.${result.area}" name="${escapeXml(`${result.id}: ${shortRule(result.rule)}`)}" time="${seconds(result.durationMs)}"`;
  const props = caseProperties(result);
  const wrap = (inner: string): string => `${open}>${props}${inner}\n    </testcase>`;
  if (result.status === 'pass') return props ? wrap('') : `${open}/>`;
  if (result.status === 'flaky') {
    const element = report.allowFlaky === true ? 'flakyFailure' : 'failure';
    return wrap(`\n      <${element} message="${escapeXml(result.message ?? 'flaky')}" type="flaky">${escapeXml(details(result))}</${element}>`);
  }
  if (result.status !== 'fail') return wrap(`\n      <skipped message="${escapeXml(result.message ?? '')}"/>`);
  if (!failsRun(result)) {
    // Reported, visible, and not red: the exit code does not gate on it either.
    const why = result.expected ? 'expected failure' : `${result.level} failed (does not fail the run)`;
    return wrap(`\n      <skipped message="${escapeXml(`${why}: ${result.message ?? ''}`)}"/>\n      <system-out>${escapeXml(details(result))}</system-out>`);
  }
  return wrap(`\n      <failure message="${escapeXml(result.message ?? 'failed')}" type="${result.level}">${escapeXml(details(result))}</failure>`);
}

/** `2026-12-01T09:05:30` (Ant's xs:dateTime pattern has no fraction and no zone; the time is UTC). */
function antTimestamp(iso: string): string {
  return iso.slice(0, 19);
}

export function renderJunit(report: SuiteReport): string {
  const allowFlaky = report.allowFlaky === true;
  const failures = (results: CheckResult[]) => results.filter((r) => failsRun(r, allowFlaky)).length;
  // An allowed flaky check is neither red nor skipped: Surefire counts it as passed with a flakyFailure.
  const skips = (results: CheckResult[]) => results.filter((r) => r.status !== 'pass' && r.status !== 'flaky' && !failsRun(r)).length;
  const version = report.kitVersion ?? kitVersion();
  const properties = `    <properties>\n      <property name="glue-conformance.version" value="${escapeXml(version)}"/>\n      <property name="profile" value="${escapeXml(report.profile)}"/>\n    </properties>\n`;
  const suites: string[] = [];
  for (const area of areasOf(report.results)) {
    const results = report.results.filter((r) => r.area === area);
    if (results.length === 0) continue;
    const time = results.reduce((sum, r) => sum + r.durationMs, 0);
    suites.push(
      `  <testsuite name="${area}" tests="${results.length}" failures="${failures(results)}" errors="0" skipped="${skips(results)}" time="${seconds(time)}" timestamp="${escapeXml(antTimestamp(report.startedAt))}">\n` +
        properties +
        results.map((r) => testcase(r, report)).join('\n') +
        '\n  </testsuite>',
    );
  }
  const { summary } = report;
  return (
    '<?xml version="1.0" encoding="UTF-8"?>\n' +
    `<testsuites name="glue-conformance ${escapeXml(version)} ${escapeXml(report.url)}" tests="${summary.total}" failures="${failures(report.results)}" errors="0" skipped="${skips(report.results)}" time="${seconds(report.durationMs)}">\n` +
    suites.join('\n') +
    '\n</testsuites>\n'
  );
}
