/** Reporters render a `SuiteReport`; the CLI picks them by name. */
import type { SuiteReport } from '../types.js';
import { renderJson } from './json.js';
import { renderJunit } from './junit.js';
import { renderPretty } from './pretty.js';

export type ReporterName = 'pretty' | 'json' | 'junit';
export const REPORTERS: readonly ReporterName[] = ['pretty', 'json', 'junit'];

export function render(name: ReporterName, report: SuiteReport): string {
  switch (name) {
    case 'json':
      return renderJson(report);
    case 'junit':
      return renderJunit(report);
    case 'pretty':
      return `${renderPretty(report)}\n`;
  }
}

export { escapeXml, renderJunit } from './junit.js';
export { renderJson } from './json.js';
export { formatResultLine, renderPretty, summaryLine, type PrettyOptions } from './pretty.js';
