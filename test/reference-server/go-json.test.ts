/**
 * The fast Go JSON encoder (object walk + prefix reuse for growing long strings) must give the same
 * bytes as the plain one (JSON.stringify with Go's times, then the HTML escapes) for any value.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { encodeGoJson, encodeGoJsonPlain, sealGoJson } from '../../reference-server/go-json.js';

const tricky = fc.constantFrom('<', '>', '&', '\u2028', '\u2029', '\ud83d', '\ude00', '😀', 'é', '"', '\\', '\n', '\u0000', '\u007f', 'x');
const trickyString = fc.array(tricky, { maxLength: 40 }).map((parts) => parts.join(''));
const longString = fc.tuple(trickyString, fc.integer({ min: 500, max: 1200 })).map(([s, n]) => 'a'.repeat(n) + s);
const leaf = fc.oneof(fc.jsonValue(), trickyString, longString, fc.constant(undefined), fc.date({ min: new Date(0), max: new Date(4e12), noInvalidDate: true }), fc.double());
const value = fc.letrec((tie) => ({
  node: fc.oneof({ depthSize: 'small' }, leaf, fc.array(tie('node')), fc.dictionary(fc.oneof(fc.string(), trickyString), tie('node'))),
})).node;

describe('encodeGoJson', () => {
  it('matches the plain encoder on arbitrary values', () => {
    fc.assert(fc.property(value, (v) => {
          expect(encodeGoJson(v)).toBe(encodeGoJsonPlain(v));
        }), { numRuns: 300 });
  });

  it('matches it on a message growing one piece at a time, surrogate pairs split across pieces included', () => {
    fc.assert(
      fc.property(fc.array(trickyString, { minLength: 1, maxLength: 30 }), (pieces) => {
        let text = 'x'.repeat(600);
        for (const piece of pieces) {
          text += piece;
          const envelope = { type: 'text_delta', payload: { message: { role: 'assistant', content: [{ type: 'text', text }] }, delta: piece } };
          expect(encodeGoJson(envelope)).toBe(encodeGoJsonPlain(envelope));
        }
      }),
      { numRuns: 200 },
    );
  });

  it('falls back to the plain path for class instances, toJSON, deep nesting and bigint', () => {
    class Point {
      constructor(readonly x = 1) {}
    }
    let deep: unknown = 'leaf';
    for (let i = 0; i < 200; i++) deep = { d: deep };
    const omitted = { toJSON: (): undefined => undefined };
    for (const v of [new Point(), { toJSON: () => ({ a: '<' }) }, new Map([[1, 2]]), new String('s'), deep, [new Date(0), undefined, () => 1], { a: omitted, b: 1 }, [omitted], omitted]) {
      expect(encodeGoJson(v)).toBe(encodeGoJsonPlain(v));
    }
    expect(() => encodeGoJson({ n: 1n })).toThrow(TypeError);
    expect(() => encodeGoJson(new Date(Number.NaN))).toThrow(RangeError);
    expect(encodeGoJson(undefined)).toBe('null');
  });
});

describe('sealGoJson', () => {
  it('gives the same bytes as the walk, wherever a sealed value is nested, and freezes it deeply', () => {
    fc.assert(fc.property(value, (v) => {
      const plain = encodeGoJsonPlain({ a: v, b: [v] });
      const sealed = sealGoJson(v);
      expect(encodeGoJson({ a: sealed, b: [sealed] })).toBe(plain);
      expect(encodeGoJson({ a: sealed, b: [sealed] })).toBe(plain); // the kept text
    }));
  });

  it('seals plain JSON data only: frozen, writes throw, a spread copy is a fresh object', () => {
    const message = sealGoJson({ role: 'assistant', content: [{ type: 'text', text: 'hi <b>' }], stop_reason: 'stop' });
    expect(Object.isFrozen(message.content[0])).toBe(true);
    expect(() => { (message.content[0] as { text: string }).text = 'changed'; }).toThrow(TypeError);
    const copy = { ...message, stop_reason: 'max_turns' };
    expect(encodeGoJson(copy)).toBe('{"role":"assistant","content":[{"type":"text","text":"hi \\u003cb\\u003e"}],"stop_reason":"max_turns"}');
    // A long string goes through the frame log's shared store: not sealed, not frozen.
    const long = sealGoJson({ text: 'x'.repeat(600) });
    expect(Object.isFrozen(long)).toBe(false);
    const dated = sealGoJson({ at: new Date(0) });
    expect(Object.isFrozen(dated)).toBe(false);
  });
});
