/**
 * Control characters from a peer must never act on the reader's terminal (a daemon could move the
 * cursor, retitle the window, or print a fake "every MUST check passed" line with CR). Console
 * text shows each of them as a visible escape instead.
 */

// C0, DEL, C1, and the Unicode controls that reorder or break lines (bidi overrides, LS/PS).
// eslint-disable-next-line no-control-regex
export const CONTROL_CHARS = /[\u0000-\u001f\u007f-\u009f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g;

const NAMED: Record<string, string> = { '\n': '\\n', '\r': '\\r', '\t': '\\t' };

/** `\x1b` → `\\x1b`, `\n` → `\\n`, U+202E → `\\u202e`: one visible escape per control character. */
export function escapeControl(char: string): string {
  const named = NAMED[char];
  if (named !== undefined) return named;
  const code = char.charCodeAt(0);
  return code <= 0xff ? `\\x${code.toString(16).padStart(2, '0')}` : `\\u${code.toString(16).padStart(4, '0')}`;
}

/** Every control character in `text` as a visible escape (newlines included: a line stays one line). */
export function escapeControls(text: string): string {
  return text.replace(CONTROL_CHARS, escapeControl);
}
