/**
 * `--reporter html[=PATH]`: one self-contained, offline HTML file (inline style and script, a CSP
 * that forbids loading anything else). Summary by area; every check with its rule, reference,
 * verdict and duration; the HTTP exchanges (already token-redacted) behind disclosures; filters
 * by status, area and level. Works without the script too: the filters are the only JS.
 */
import { kitVersion } from '../kit-version.js';
import { areasOf } from '../outcome.js';
import type { CheckResult, SuiteReport } from '../types.js';
import { exchangeLines, exchangeTitle } from './exchange-text.js';
import { failsRun, verdictOf, VERDICT_LABEL, type Verdict } from './verdict.js';

const VERDICTS: readonly Verdict[] = ['fail', 'should-fail', 'expected-fail', 'flaky', 'pass', 'skip'];

/** HTML text: markup characters escaped, control bytes shown as `\xNN` instead of sent raw. */
export function escapeHtml(text: string): string {
  return text
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&#39;')
    // eslint-disable-next-line no-control-regex
    .replace(/[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F]/g, (c) => `\\x${c.charCodeAt(0).toString(16).padStart(2, '0')}`);
}

const STYLE = `
:root { color-scheme: light dark; --fail: #c62828; --warn: #b26a00; --pass: #2e7d32; --skip: #6b7280; --line: #8884; }
body { font: 14px/1.45 system-ui, sans-serif; margin: 0 auto; max-width: 72rem; padding: 1rem 1.5rem 3rem; }
h1 { font-size: 1.4rem; margin: .2rem 0; } h2 { font-size: 1.1rem; margin-top: 1.6rem; }
.verdict { font-size: 1.1rem; font-weight: 600; } .verdict.ok { color: var(--pass); } .verdict.bad { color: var(--fail); }
dl.meta { display: grid; grid-template-columns: max-content 1fr; gap: .1rem 1rem; margin: .5rem 0; } dl.meta dt { opacity: .7; }
table { border-collapse: collapse; } th, td { border-bottom: 1px solid var(--line); padding: .25rem .7rem; text-align: right; } th:first-child, td:first-child { text-align: left; }
.filters { display: flex; flex-wrap: wrap; gap: .4rem 1.2rem; align-items: center; padding: .6rem 0; border-bottom: 1px solid var(--line); position: sticky; top: 0; background: Canvas; }
.filters fieldset { border: 0; padding: 0; margin: 0; display: flex; gap: .5rem; align-items: center; } .filters legend { float: left; font-weight: 600; margin-right: .3rem; }
details.check { border-bottom: 1px solid var(--line); } details.check > summary { cursor: pointer; padding: .35rem 0; list-style-position: outside; }
.badge { display: inline-block; min-width: 7.5rem; font-weight: 600; } .v-fail .badge { color: var(--fail); } .v-should-fail .badge, .v-expected-fail .badge, .v-flaky .badge { color: var(--warn); } .v-pass .badge { color: var(--pass); } .v-skip .badge { color: var(--skip); }
.id { font-family: ui-monospace, monospace; font-weight: 600; } .level, .dur, .tag { opacity: .7; font-size: .9em; } .dur { float: right; }
.body { padding: .2rem 0 .8rem 1.5rem; } .message { white-space: pre-wrap; font-family: ui-monospace, monospace; background: #8881; padding: .4rem .6rem; border-left: 3px solid var(--line); }
.v-fail .message { border-left-color: var(--fail); } details.exchange > summary { cursor: pointer; font-family: ui-monospace, monospace; }
details.exchange.failing > summary { font-weight: 600; } pre { white-space: pre-wrap; word-break: break-all; background: #8881; padding: .5rem .7rem; margin: .3rem 0 .6rem; font-size: 12.5px; }
`;

// The filters: a check is shown when its status, area and level are all selected.
const SCRIPT = `
(() => {
  const form = document.getElementById('filters');
  const checks = [...document.querySelectorAll('details.check')];
  const count = document.getElementById('shown');
  const apply = () => {
    const on = (name) => new Set([...form.querySelectorAll('input[name="' + name + '"]:checked')].map((i) => i.value));
    const area = form.querySelector('select[name="area"]').value;
    const level = form.querySelector('select[name="level"]').value;
    const statuses = on('status');
    let shown = 0;
    for (const check of checks) {
      const visible = statuses.has(check.dataset.status) && (area === '' || check.dataset.area === area) && (level === '' || check.dataset.level === level);
      check.hidden = !visible;
      if (visible) shown++;
    }
    count.textContent = shown + ' of ' + checks.length + ' checks shown';
  };
  form.addEventListener('change', apply);
  apply();
})();
`;

function exchangeHtml(result: CheckResult, index: number): string {
  const exchange = result.exchanges[index]!;
  const failing = index === result.failedExchange;
  const title = `exchange ${index + 1}/${result.exchanges.length}${failing ? ' (the failure is about this one)' : ''}: ${exchangeTitle(exchange)}`;
  return `<details class="exchange${failing ? ' failing' : ''}"><summary>${escapeHtml(title)}</summary><pre>${escapeHtml(exchangeLines(exchange).join('\n'))}</pre></details>`;
}

function checkHtml(result: CheckResult, allowFlaky: boolean): string {
  const verdict = verdictOf(result);
  const tags = (result.tags ?? []).map((t) => ` <span class="tag">[${escapeHtml(t)}]</span>`).join('');
  const parts = [
    `<p class="rule">${escapeHtml(result.rule)}</p>`,
    `<p>reference: ${escapeHtml(result.reference)}${result.brokenRule ? ` · first broken rule: <a href="#check-${escapeHtml(result.brokenRule)}">${escapeHtml(result.brokenRule)}</a>` : ''}</p>`,
  ];
  if (result.message !== undefined) parts.push(`<div class="message">${escapeHtml(result.message)}</div>`);
  if (result.attempts) parts.push(`<p>verdicts per run: ${escapeHtml(result.attempts.map((a) => a.status).join(' '))}</p>`);
  if (result.notes.length > 0) parts.push(`<ul class="notes">${result.notes.map((n) => `<li>${escapeHtml(n)}</li>`).join('')}</ul>`);
  parts.push(...result.exchanges.map((_, i) => exchangeHtml(result, i)));
  const gate = failsRun(result, allowFlaky) ? ' data-fails-run="true"' : '';
  return (
    `<details class="check v-${verdict}" id="check-${escapeHtml(result.id)}" data-status="${verdict}" data-area="${escapeHtml(result.area)}" data-level="${result.level}"${gate}>` +
    `<summary><span class="badge">${VERDICT_LABEL[verdict]}</span> <span class="id">${escapeHtml(result.id)}</span> <span class="level">${result.level}</span>${tags} ${escapeHtml(result.rule)} <span class="dur">${result.durationMs} ms</span></summary>` +
    `<div class="body">${parts.join('\n')}</div></details>`
  );
}

function summaryTable(report: SuiteReport): string {
  const header = ['area', ...VERDICTS.map((v) => VERDICT_LABEL[v]), 'total'];
  const row = (label: string, results: readonly CheckResult[]): string =>
    `<tr><td>${escapeHtml(label)}</td>${VERDICTS.map((v) => `<td>${results.filter((r) => verdictOf(r) === v).length}</td>`).join('')}<td>${results.length}</td></tr>`;
  const rows = areasOf(report.results).map((area) => row(area, report.results.filter((r) => r.area === area)));
  return `<table id="areas"><thead><tr>${header.map((h) => `<th>${escapeHtml(h)}</th>`).join('')}</tr></thead><tbody>${rows.join('')}</tbody><tfoot>${row('all', report.results)}</tfoot></table>`;
}

function filters(report: SuiteReport): string {
  const present = new Set(report.results.map(verdictOf));
  const statuses = VERDICTS.filter((v) => present.has(v))
    .map((v) => `<label><input type="checkbox" name="status" value="${v}" checked> ${VERDICT_LABEL[v]}</label>`)
    .join(' ');
  const areas = areasOf(report.results)
    .map((a) => `<option value="${escapeHtml(a)}">${escapeHtml(a)}</option>`)
    .join('');
  return (
    `<form class="filters" id="filters" onsubmit="return false">` +
    `<fieldset><legend>status</legend>${statuses}</fieldset>` +
    `<label>area <select name="area"><option value="">all</option>${areas}</select></label>` +
    `<label>level <select name="level"><option value="">all</option><option value="MUST">MUST</option><option value="SHOULD">SHOULD</option></select></label>` +
    `<span id="shown"></span></form>`
  );
}

export function renderHtml(report: SuiteReport): string {
  const version = report.kitVersion ?? kitVersion();
  const allowFlaky = report.allowFlaky === true;
  const { summary } = report;
  const verdict = report.ok
    ? `every MUST check passed${summary.shouldFailed > 0 ? ` (${summary.shouldFailed} SHOULD check(s) failed)` : ''}`
    : `${report.results.filter((r) => failsRun(r, allowFlaky)).length} check(s) fail the run`;
  const subject = report.suite === 'client' ? 'client' : 'daemon';
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; script-src 'unsafe-inline'">
<meta name="generator" content="glue-conformance ${escapeHtml(version)}">
<title>glue-conformance: ${escapeHtml(report.url)}</title>
<style>${STYLE}</style>
</head>
<body>
<header>
<h1>glue-conformance report</h1>
<p class="verdict ${report.ok ? 'ok' : 'bad'}" id="verdict">${escapeHtml(verdict)}</p>
<p id="counts">${summary.passed} passed, ${summary.failed} failed, ${summary.skipped} skipped${summary.flaky > 0 ? `, ${summary.flaky} flaky` : ''}</p>
<dl class="meta">
<dt>${subject}</dt><dd>${escapeHtml(report.url)}</dd>
<dt>profile</dt><dd>${escapeHtml(report.profile)}</dd>
<dt>started</dt><dd>${escapeHtml(report.startedAt)}</dd>
<dt>duration</dt><dd>${(report.durationMs / 1000).toFixed(1)} s${(report.repeat ?? 1) > 1 ? `, ${report.repeat} runs per check` : ''}</dd>
<dt>capabilities</dt><dd>${escapeHtml(report.capabilities.join(', ') || '—')}</dd>
<dt>kit</dt><dd>glue-conformance ${escapeHtml(version)}</dd>
</dl>
</header>
<h2>Summary by area</h2>
${summaryTable(report)}
<h2>Checks</h2>
${filters(report)}
<section id="checks">
${report.results.map((r) => checkHtml(r, allowFlaky)).join('\n')}
</section>
<script>${SCRIPT}</script>
</body>
</html>
`;
}
