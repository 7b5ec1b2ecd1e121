/**
 * toHex takes Node's native encoder for a Buffer and the table elsewhere (a browser's Uint8Array):
 * both must print the same digits, for any range.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { randomBytes, toHex } from '../../reference-server/portable-crypto.js';

describe('toHex', () => {
  it('prints the same lower-case digits for a Buffer and a plain Uint8Array, any range', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 64 }), fc.nat(), fc.nat(), (bytes, a, b) => {
        const start = bytes.length === 0 ? 0 : a % bytes.length;
        const end = start + (bytes.length === 0 ? 0 : b % (bytes.length - start + 1));
        const expected = [...bytes.subarray(start, end)].map((x) => x.toString(16).padStart(2, '0')).join('');
        expect(toHex(Buffer.from(bytes), start, end)).toBe(expected);
        expect(toHex(new Uint8Array(bytes), start, end)).toBe(expected);
      }),
    );
  });

  it('randomBytes gives a Buffer on Node, filled to its length', () => {
    const bytes = randomBytes(70_000);
    expect(Buffer.isBuffer(bytes)).toBe(true);
    expect(bytes.length).toBe(70_000);
    expect(toHex(bytes, 0, 16)).toMatch(/^[0-9a-f]{32}$/);
  });
});
