/**
 * RFC 3339 UTC timestamps as the daemon writes them (Go's RFC3339Nano: 0–9 fraction digits, `Z`).
 * Comparing needs nanoseconds: Date has only milliseconds and the fraction length varies.
 */
export const UTC_RFC3339 = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d{1,9})?Z$/;

/** Nanoseconds since the epoch, or undefined when the text is not an RFC 3339 UTC time. */
export function timeNs(text: unknown): bigint | undefined {
  if (typeof text !== 'string' || !UTC_RFC3339.test(text)) return undefined;
  const dot = text.indexOf('.');
  const seconds = Date.parse(dot < 0 ? text : `${text.slice(0, dot)}Z`);
  if (Number.isNaN(seconds)) return undefined;
  const fraction = dot < 0 ? '' : text.slice(dot + 1, -1);
  return BigInt(seconds) * 1_000_000n + BigInt(fraction.padEnd(9, '0'));
}

/** Milliseconds between two timestamps (b - a), as a float. */
export function diffMs(a: string, b: string): number | undefined {
  const na = timeNs(a);
  const nb = timeNs(b);
  return na === undefined || nb === undefined ? undefined : Number(nb - na) / 1e6;
}

const TIME_KEYS = new Set(['time', 'created_at', 'expires_at', 'timestamp', 'started_at']);

/** Every timestamp-named field in a JSON value, with its JSON pointer. */
export function timeFields(value: unknown, pointer = ''): Array<{ pointer: string; value: unknown }> {
  const found: Array<{ pointer: string; value: unknown }> = [];
  if (Array.isArray(value)) value.forEach((item, i) => found.push(...timeFields(item, `${pointer}/${i}`)));
  else if (typeof value === 'object' && value !== null) {
    for (const [key, item] of Object.entries(value)) {
      if (TIME_KEYS.has(key) && (typeof item === 'string' || typeof item === 'number')) found.push({ pointer: `${pointer}/${key}`, value: item });
      else found.push(...timeFields(item, `${pointer}/${key}`));
    }
  }
  return found;
}

/**
 * The finest clock step the timestamps show, in ms: 10^-d s for the longest fraction (d digits)
 * among them. Go trims trailing zeros, so one timestamp may look coarser than its clock; the
 * longest fraction of several is the clock's resolution. 1000 ms when none has a fraction.
 */
export function resolutionMs(times: readonly unknown[]): number {
  let digits = 0;
  for (const text of times) {
    if (typeof text !== 'string' || !UTC_RFC3339.test(text)) continue;
    const dot = text.indexOf('.');
    if (dot >= 0) digits = Math.max(digits, text.length - dot - 2);
  }
  return 1000 / 10 ** digits;
}
