/**
 * Bounded copies of peer text for display. A V8 slice of a large string keeps the whole parent
 * alive, so an excerpt of a 30 MB stream would retain 30 MB per report entry: excerpts are
 * detached copies.
 */

export const EXCERPT_CHARS = 2000;

/** A fresh copy of `text` that holds no reference to a larger string. */
export function detach(text: string): string {
  return text.length < 16 ? text : Buffer.from(text, 'utf16le').toString('utf16le');
}

/** At most `max` characters of `text` (a detached copy), with how many more there were. */
export function excerpt(text: string, max = EXCERPT_CHARS): string {
  return text.length <= max ? detach(text) : `${detach(text.slice(0, max))}… (${text.length - max} more characters)`;
}
