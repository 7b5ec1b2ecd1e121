/**
 * formatGoTime caches the last millisecond's text; it must print what the plain formatting does
 * (toISOString, the sub-millisecond nanoseconds, trailing zeros trimmed) for any sequence of times,
 * repeated milliseconds and plain Dates between GoInstants included.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { GoInstant, formatGoTime } from '../../reference-server/go-time.js';

function plain(date: Date): string {
  const iso = date.toISOString();
  const dot = iso.lastIndexOf('.');
  const nanos = date instanceof GoInstant ? String(date.subMillisecondNanos).padStart(6, '0') : '';
  const fraction = (iso.slice(dot + 1, -1) + nanos).replace(/0+$/, '');
  return iso.slice(0, dot) + (fraction ? '.' + fraction : '') + 'Z';
}

const ms = fc.oneof(fc.integer({ min: -62_135_596_800_000, max: 253_402_300_799_999 }), fc.constantFrom(0, 1_764_590_400_000, 1_764_590_400_100, 1_764_590_400_120));
const instant = fc.tuple(ms, fc.option(fc.oneof(fc.integer({ min: 0, max: 999_999 }), fc.constantFrom(0, 100, 1_000, 500_000)))).map(([t, nanos]) =>
  nanos === null ? new Date(t) : new GoInstant(t, nanos),
);

describe('formatGoTime', () => {
  it('prints what the plain formatting prints, for repeated milliseconds too', () => {
    fc.assert(
      fc.property(fc.array(instant, { minLength: 1, maxLength: 20 }), (dates) => {
        for (const date of [...dates, ...dates]) expect(formatGoTime(date)).toBe(plain(date));
      }),
      { numRuns: 300 },
    );
  });

  it('throws on an invalid Date, as toISOString does', () => {
    expect(() => formatGoTime(new Date(Number.NaN))).toThrow(RangeError);
  });
});
