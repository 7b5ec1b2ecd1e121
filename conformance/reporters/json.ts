/** The machine-readable report: the `SuiteReport` as JSON (tokens are already redacted), kit version first. */
import { kitVersion } from '../kit-version.js';
import type { SuiteReport } from '../types.js';

export function renderJson(report: SuiteReport): string {
  const { kitVersion: own, ...rest } = report;
  return `${JSON.stringify({ kitVersion: own ?? kitVersion(), ...rest }, null, 2)}\n`;
}
