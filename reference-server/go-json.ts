/**
 * JSON exactly as Go's `encoding/json` writes it on the wire: compact, and HTML-safe
 * (`<` `>` `&` U+2028 U+2029 escaped as `\u003c` …), every other non-ASCII character raw UTF-8.
 * Key order is the object's insertion order, so callers build objects in Go's struct order.
 * `Date` values print as Go's `time.Time` does (fraction trailing zeros trimmed).
 */
import { formatGoTime } from './go-time.js';

const htmlUnsafe = /[<>&\u2028\u2029]/g;
const htmlEscapes: Readonly<Record<string, string>> = {
  '<': '\\u003c',
  '>': '\\u003e',
  '&': '\\u0026',
  '\u2028': '\\u2028',
  '\u2029': '\\u2029',
};

function escapeHtml(json: string): string {
  // The characters can only occur inside JSON strings, so a global replace is safe.
  return json.replace(htmlUnsafe, (ch) => htmlEscapes[ch] ?? ch);
}

function goTimes(this: unknown, key: string, value: unknown): unknown {
  // `value` has already been through Date#toJSON; the holder still has the Date itself.
  const original = (this as Record<string, unknown>)[key];
  return original instanceof Date ? formatGoTime(original) : value;
}

/** Compact Go-style JSON text for `value` (no trailing newline). `undefined` encodes as `null`. */
export function encodeGoJson(value: unknown): string {
  const text = JSON.stringify(value, goTimes);
  return escapeHtml(text === undefined ? 'null' : text);
}

/** Go's `json.MarshalIndent(value, "", "  ")` followed by a newline, as used for the on-disk files. */
export function encodeGoJsonIndented(value: unknown): string {
  const text = JSON.stringify(value, goTimes, 2);
  return escapeHtml(text === undefined ? 'null' : text) + '\n';
}
