/** The machine-readable report: the `SuiteReport` as JSON (tokens are already redacted). */
import type { SuiteReport } from '../types.js';

export function renderJson(report: SuiteReport): string {
  return `${JSON.stringify(report, null, 2)}\n`;
}
