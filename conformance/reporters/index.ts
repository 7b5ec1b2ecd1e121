/** Reporters render a `SuiteReport`; the CLI picks them by name. */
import type { SuiteReport } from '../types.js';
import { renderHtml } from './html.js';
import { renderJson } from './json.js';
import { renderJunit } from './junit.js';
import { renderMarkdown } from './markdown.js';
import { renderPretty } from './pretty.js';

export type ReporterName = 'pretty' | 'json' | 'junit' | 'html' | 'markdown';
export const REPORTERS: readonly ReporterName[] = ['pretty', 'json', 'junit', 'html', 'markdown'];

export function render(name: ReporterName, report: SuiteReport): string {
  switch (name) {
    case 'json':
      return renderJson(report);
    case 'junit':
      return renderJunit(report);
    case 'html':
      return renderHtml(report);
    case 'markdown':
      return renderMarkdown(report);
    case 'pretty':
      return `${renderPretty(report)}\n`;
  }
}

export { escapeXml, renderJunit } from './junit.js';
export { renderJson } from './json.js';
export { formatResultLine, renderPretty, summaryLine, type PrettyOptions } from './pretty.js';
export { escapeHtml, renderHtml } from './html.js';
export { renderMarkdown } from './markdown.js';
