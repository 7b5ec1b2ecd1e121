/**
 * Reporters render a `SuiteReport`; the CLI picks them by name and writes what they return
 * through an output sink (src/output/sink.ts), which redacts it: a reporter never writes itself.
 * `kind` says how a sink treats the text: `lines` for human text (control characters escaped,
 * colours from style markers), `document` for a machine format that is written as is.
 */
import type { OutputSink } from '../../src/output/sink.js';
import type { SuiteReport } from '../types.js';
import { renderHtml } from './html.js';
import { renderJson } from './json.js';
import { renderJunit } from './junit.js';
import { renderMarkdown } from './markdown.js';
import { prettyLines } from './pretty.js';

export type ReporterName = 'pretty' | 'json' | 'junit' | 'html' | 'markdown';
export const REPORTERS: readonly ReporterName[] = ['pretty', 'json', 'junit', 'html', 'markdown'];

export type ReporterOutput = { kind: 'lines'; lines: string[] } | { kind: 'document'; text: string };

/** The output of one reporter, for a sink. */
export function renderOutput(name: ReporterName, report: SuiteReport): ReporterOutput {
  switch (name) {
    case 'json':
      return { kind: 'document', text: renderJson(report) };
    case 'junit':
      return { kind: 'document', text: renderJunit(report) };
    case 'html':
      return { kind: 'document', text: renderHtml(report) };
    case 'markdown':
      return { kind: 'document', text: renderMarkdown(report) };
    case 'pretty':
      // Unwrapped: the sink wraps after redaction.
      return { kind: 'lines', lines: prettyLines(report, { width: Number.POSITIVE_INFINITY }) };
  }
}

/** Writes a reporter's output through a sink (which redacts it, and escapes `lines`). */
export function writeReport(sink: OutputSink, output: ReporterOutput): void {
  if (output.kind === 'lines') sink.lines(output.lines);
  else sink.document(output.text);
}

/** The output of one reporter as text (unredacted: write it through a sink). */
export function render(name: ReporterName, report: SuiteReport): string {
  const output = renderOutput(name, report);
  return output.kind === 'document' ? output.text : `${output.lines.join('\n')}\n`;
}

export { escapeXml, renderJunit } from './junit.js';
export { renderJson } from './json.js';
export { formatResultLine, prettyLines, renderPretty, resultLines, summaryLine, type PrettyOptions } from './pretty.js';
export { escapeHtml, renderHtml } from './html.js';
export { renderMarkdown } from './markdown.js';
