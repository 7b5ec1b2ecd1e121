/**
 * Colours for console text without trusting any ESC byte in it: reporters wrap text in markers
 * that carry a per-process random nonce, and only the console sink turns markers into ANSI SGR
 * sequences (after escaping every real control character). A peer cannot forge a marker because
 * it never sees the nonce. Markers are private-use characters only, so they take no columns
 * when the sink wraps a line.
 */
import { randomBytes } from 'node:crypto';

const OPEN = '\uE000';
// Four private-use characters from 32 random bits.
const NONCE = [...randomBytes(4)].map((b) => String.fromCharCode(0xe100 + b)).join('');

export type Style = 'bold' | 'dim' | 'red' | 'green' | 'yellow';
const CODES: Record<Style | 'reset', { char: string; sgr: string }> = {
  reset: { char: '\uE010', sgr: '0' },
  bold: { char: '\uE011', sgr: '1' },
  dim: { char: '\uE012', sgr: '2' },
  red: { char: '\uE013', sgr: '31' },
  green: { char: '\uE014', sgr: '32' },
  yellow: { char: '\uE015', sgr: '33' },
};
const SGR_BY_CHAR = new Map(Object.values(CODES).map((c) => [c.char, c.sgr]));
const MARKER = new RegExp(`${OPEN}${NONCE}([\\uE010-\\uE015])`, 'g');

/** `text` in a style; shows as plain text anywhere but a colour console sink. */
export function styled(style: Style, text: string): string {
  return `${OPEN}${NONCE}${CODES[style].char}${text}${OPEN}${NONCE}${CODES.reset.char}`;
}

/** Turns style markers into SGR sequences (`color`) or removes them. */
export function applyStyles(text: string, color: boolean): string {
  if (!text.includes(OPEN)) return text;
  return text.replace(MARKER, (_m, char: string) => (color ? `\u001b[${SGR_BY_CHAR.get(char) ?? '0'}m` : ''));
}
