/**
 * formatGoTime caches the last millisecond's text; it must print what the plain formatting does
 * (toISOString, the sub-millisecond nanoseconds, trailing zeros trimmed) for any sequence of times,
 * repeated milliseconds and plain Dates between GoInstants included.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { GoInstant, createGoClock, formatGoTime, goTimeText } from '../../reference-server/go-time.js';

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

  it("the default clock's text() is formatGoTime of the clock at that moment, never going backwards", () => {
    const clock = createGoClock();
    const text = goTimeText(clock);
    expect(text).toBe(clock.text);
    const nanos = (t: string): bigint => BigInt(Date.parse(t.slice(0, 19) + 'Z')) * 1_000_000n + BigInt((t.slice(20, -1) || '0').padEnd(9, '0'));
    let last = 0n;
    for (let i = 0; i < 2_000; i++) {
      const before = formatGoTime(clock());
      const now = text();
      const after = formatGoTime(clock());
      expect(now).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{0,8}[1-9])?Z$/);
      expect(nanos(before) <= nanos(now) && nanos(now) <= nanos(after), `${before} ${now} ${after}`).toBe(true);
      expect(nanos(now) >= last).toBe(true);
      last = nanos(now);
    }
  });

  it('goTimeText of an injected clock formats what it returns', () => {
    const fixed = (): Date => new GoInstant(1_764_590_400_120, 5_000);
    expect(goTimeText(fixed)()).toBe('2025-12-01T12:00:00.120005Z');
    expect(goTimeText(() => new Date(1_764_590_400_000))()).toBe('2025-12-01T12:00:00Z');
  });
});
