/**
 * The machine-readable report: the `SuiteReport` as JSON, faithful to what the daemon sent.
 * JSON.stringify escapes C0 controls; DEL, C1 and the Unicode line/bidi controls are written as
 * `\uXXXX` too (the same string value), so the file is safe to print. Redaction is the sink's job.
 */
import { kitVersion } from '../kit-version.js';
import type { SuiteReport } from '../types.js';

// eslint-disable-next-line no-control-regex
const RISKY = /[\u007f-\u009f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g;

export function renderJson(report: SuiteReport): string {
  const { kitVersion: own, ...rest } = report;
  const text = JSON.stringify({ kitVersion: own ?? kitVersion(), ...rest }, null, 2).replace(RISKY, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
  return `${text}\n`;
}
