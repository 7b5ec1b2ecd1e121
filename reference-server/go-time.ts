/**
 * Go's `time.Time` JSON form: RFC 3339 in UTC with the fraction's trailing zeros trimmed
 * (`…:26.32Z`, `…:26Z`). JavaScript clocks have millisecond precision, so fractions have at
 * most 3 digits here where Go prints up to 9.
 */

/** The zero `time.Time`, which Go prints for a missing timestamp (it never omits one). */
export const zeroGoTime = '0001-01-01T00:00:00Z';

export function formatGoTime(date: Date): string {
  const iso = date.toISOString(); // always UTC: YYYY-MM-DDTHH:MM:SS.mmmZ
  const dot = iso.lastIndexOf('.');
  if (dot < 0) return iso;
  const fraction = iso.slice(dot + 1, -1).replace(/0+$/, '');
  return iso.slice(0, dot) + (fraction ? '.' + fraction : '') + 'Z';
}

/**
 * A timestamp as the wire shows it: `Date`s are formatted, strings pass through unchanged
 * (hosts and permission files may carry Go's nanosecond precision), anything else is the zero time.
 */
export function goTimestamp(value: unknown): string {
  if (value instanceof Date) return formatGoTime(value);
  if (typeof value === 'string' && value !== '') return value;
  return zeroGoTime;
}

const rfc3339 = /^(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2})(?:\.(\d{1,9}))?(Z|[+-]\d{2}:\d{2})$/;

/** Nanoseconds since the epoch of an RFC 3339 timestamp, for ordering at Go's precision; undefined when unparseable. */
export function goTimeToNanos(text: string): bigint | undefined {
  const match = rfc3339.exec(text);
  if (!match) return undefined;
  const [, whole = '', fraction = '', zone = 'Z'] = match;
  const ms = Date.parse(whole + zone);
  if (Number.isNaN(ms)) return undefined;
  return BigInt(ms) * 1_000_000n + BigInt(fraction.padEnd(9, '0') || '0');
}
