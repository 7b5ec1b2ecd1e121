/**
 * Go's `time.Time` JSON form: RFC 3339 in UTC with nanoseconds and the fraction's trailing zeros
 * trimmed (`…:26.898488384Z`, `…:26.32Z`, `…:26Z`). A plain `Date` has millisecond precision; the
 * default clock (`createGoClock`) returns `GoInstant`s that also carry the nanoseconds within the
 * millisecond, from a monotonic high-resolution source, so the wire shows Go's 9 digits.
 */

/** A `Date` that knows the nanoseconds inside its millisecond (0–999,999). */
export class GoInstant extends Date {
  constructor(
    ms: number,
    readonly subMillisecondNanos: number,
  ) {
    super(ms);
  }
}

/** A clock that can also give the current time as Go's JSON text without making a `Date` (the default one). */
export type GoClock = (() => Date) & { text?: () => string };

/**
 * The daemon's default clock: wall time at creation plus the monotonic `performance.now()` since,
 * at nanosecond resolution, so times never go backwards within the process (Go's monotonic reading).
 * Its `text()` is `formatGoTime(clock())` without the `Date` (every event asks for the time).
 */
export function createGoClock(): GoClock {
  const startWallMs = Date.now();
  const startMono = performance.now();
  // An integer below 2^53 for 104 days of uptime, so the split into ms and ns is exact (no BigInt per call).
  const read = <T>(make: (ms: number, subMillisecondNanos: number) => T): T => {
    const ns = Math.round((performance.now() - startMono) * 1e6);
    const ms = Math.floor(ns / 1_000_000);
    return make(startWallMs + ms, ns - ms * 1_000_000);
  };
  const clock: GoClock = () => read(newInstant);
  clock.text = () => read(formatGoParts);
  return clock;
}

const newInstant = (ms: number, subMillisecondNanos: number): GoInstant => new GoInstant(ms, subMillisecondNanos);

/** The current time of `clock` as Go's JSON text: its `text()` when it has one, else `formatGoTime(clock())`. */
export function goTimeText(clock: () => Date): () => string {
  return (clock as GoClock).text ?? (() => formatGoTime(clock()));
}

/** `date + ms`, keeping the sub-millisecond nanoseconds (`time.Now().Add(d)`). */
export function addMilliseconds(date: Date, ms: number): Date {
  return date instanceof GoInstant ? new GoInstant(date.getTime() + ms, date.subMillisecondNanos) : new Date(date.getTime() + ms);
}

/** The zero `time.Time`, which Go prints for a missing timestamp (it never omits one). */
export const zeroGoTime = '0001-01-01T00:00:00Z';

/** The last millisecond formatted: every event of a flood asks for the time, many within one ms. */
let lastMs = Number.NaN;
let lastSeconds = '';
let lastMillis = '';

export function formatGoTime(date: Date): string {
  return formatGoParts(date.getTime(), date instanceof GoInstant ? date.subMillisecondNanos : undefined);
}

/** Epoch milliseconds (and the nanoseconds within that millisecond, when known) as Go's JSON text. */
function formatGoParts(ms: number, subMillisecondNanos: number | undefined): string {
  if (ms !== lastMs) {
    const iso = new Date(ms).toISOString(); // always UTC: YYYY-MM-DDTHH:MM:SS.mmmZ; an invalid Date throws
    const dot = iso.lastIndexOf('.');
    lastSeconds = iso.slice(0, dot);
    lastMillis = iso.slice(dot + 1, -1);
    lastMs = ms;
  }
  let fraction = lastMillis + (subMillisecondNanos !== undefined ? String(subMillisecondNanos).padStart(6, '0') : '');
  let end = fraction.length;
  while (end > 0 && fraction.charCodeAt(end - 1) === 0x30) end--;
  fraction = fraction.slice(0, end);
  return lastSeconds + (fraction ? '.' + fraction : '') + 'Z';
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
