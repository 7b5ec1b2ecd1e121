/**
 * The frame log (shared, incrementally encoded long text) must give every frame the same bytes as
 * the straightforward encoding, `encodeSseFrame(id, type, encodeGoJsonPlain(envelope))`: on random
 * texts growing piece by piece (non-ASCII, surrogate pairs split across pieces, lone surrogates,
 * `<` `>` `&` U+2028 U+2029, quotes, control characters), on new texts that do not extend the last,
 * on long deltas beside the growing message, and on old frames read again after the text grew.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { FrameLog } from '../../reference-server/frame-log.js';
import { encodeGoJsonPlain } from '../../reference-server/go-json.js';
import { GoInstant, formatGoTime } from '../../reference-server/go-time.js';
import { Run } from '../../reference-server/run.js';
import { encodeSseFrame } from '../../reference-server/sse.js';

const tricky = fc.constantFrom('<', '>', '&', '\u2028', '\u2029', '\ud83d', '\ude00', '😀', 'é', '€', '"', '\\', '\n', '\r', '\u0000', '\u001f', '\u007f', 'x', 'abc');
const piece = fc.array(tricky, { maxLength: 12 }).map((parts) => parts.join(''));
/** A piece that is sometimes long enough to cross the long-string threshold on its own. */
const bigPiece = fc.oneof({ weight: 4, arbitrary: piece }, { weight: 1, arbitrary: fc.tuple(piece, fc.integer({ min: 200, max: 700 })).map(([p, n]) => 'y'.repeat(n) + p) });

type Step = { kind: 'delta'; piece: string } | { kind: 'new-text'; seed: string } | { kind: 'other'; long: boolean } | { kind: 'done' };
const step: fc.Arbitrary<Step> = fc.oneof(
  { weight: 8, arbitrary: bigPiece.map((p) => ({ kind: 'delta' as const, piece: p })) },
  { weight: 1, arbitrary: bigPiece.map((seed) => ({ kind: 'new-text' as const, seed })) },
  { weight: 1, arbitrary: fc.boolean().map((long) => ({ kind: 'other' as const, long })) },
  { weight: 1, arbitrary: fc.constant({ kind: 'done' as const }) },
);

const decoder = new TextDecoder();

function envelope(seq: number, type: string, payload: unknown): Record<string, unknown> {
  return { version: 1, id: `evt_${seq}`, seq, run_id: 'run_1', session_id: 'sess-<1>', time: '2026-12-01T12:00:00.123456789Z', type, payload };
}

describe('FrameLog', () => {
  it('gives every frame the bytes of the plain encoding, also when read again after the text grew', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 3 }), fc.array(step, { minLength: 1, maxLength: 60 }), (start, steps) => {
        const log = new FrameLog();
        const expected: Uint8Array[] = [];
        // Starts just under the long-string threshold, so the growing text crosses it.
        let text = 'z'.repeat(500) + start;
        const add = (type: string, payload: unknown): void => {
          const seq = expected.length + 1;
          const value = envelope(seq, type, payload);
          log.append(`evt_${seq}`, type, value);
          expected.push(encodeSseFrame(`evt_${seq}`, type, encodeGoJsonPlain(value)));
          expect(decoder.decode(log.at(seq - 1))).toBe(decoder.decode(expected[seq - 1]));
        };
        const message = (): unknown => ({ role: 'assistant', content: [{ type: 'text', text }], model: 'm<&>', created_at: '2026-12-01T12:00:00Z' });
        for (const s of steps) {
          if (s.kind === 'delta') {
            text += s.piece;
            add('text_delta', { type: 'text_delta', message: message(), delta: s.piece });
          } else if (s.kind === 'new-text') {
            text = s.seed + 'w'.repeat(520);
            add('message_start', { type: 'message_start', message: message() });
          } else if (s.kind === 'other') {
            add('tool_end', { type: 'tool_end', tool_result: { content: [{ type: 'text', text: s.long ? 'r\u2028'.repeat(300) + text.slice(0, 9) : 'ok' }] } });
          } else {
            add('run_done', { message: message(), new_messages: [message()], text });
          }
        }
        expect(log.length).toBe(expected.length);
        for (let i = 0; i < expected.length; i++) expect(Buffer.from(log.at(i)!).equals(Buffer.from(expected[i]!))).toBe(true);
      }),
      {
        numRuns: 150,
        // A surrogate pair split across two deltas: the first frame shows the lone half escaped, the next the pair raw.
        examples: [['', [{ kind: 'delta', piece: 'a\ud83d' }, { kind: 'delta', piece: '\ude00b' }, { kind: 'delta', piece: '\ud83d' }, { kind: 'done' }]]],
      },
    );
  });

  it('holds a flood in memory proportional to its text, not to its N² wire bytes', () => {
    const log = new FrameLog();
    let text = '';
    let wire = 0;
    for (let i = 1; i <= 3000; i++) {
      text += 'é';
      log.append(`evt_${i}`, 'text_delta', envelope(i, 'text_delta', { type: 'text_delta', message: { role: 'assistant', content: [{ type: 'text', text }] }, delta: 'é' }));
      wire += log.at(i - 1)!.byteLength;
    }
    expect(wire).toBeGreaterThan(9_000_000); // ~3000 frames averaging 3 KB
    // Each frame keeps its ~400 bytes of envelope; the text is held once (its store grows by doubling).
    expect(log.bytes).toBeLessThan(3000 * 512 + 4 * 2 * text.length);
    expect(decoder.decode(log.at(2999)).includes(`"text":"${text}"`)).toBe(true);
  });

  it('refuses a line break in an event id or type, with or without long text', () => {
    const log = new FrameLog();
    const long = { text: 'a'.repeat(600) };
    expect(() => log.append('evt_1\nevent: x', 'text_delta', long)).toThrow(/line break/);
    expect(() => log.append('evt_1', 'text\rdelta', long)).toThrow(/line break/);
    expect(() => log.append('evt_1', 'text\ndelta', { short: 1 })).toThrow(/line break/);
    expect(log.length).toBe(0);
  });
});

describe('Run.emit', () => {
  const text = fc.oneof(piece, bigPiece, fc.string());
  const payload = fc.oneof(
    fc.constantFrom(undefined, null),
    fc.jsonValue(),
    fc.dictionary(text, fc.oneof(text, fc.jsonValue(), fc.constant(undefined))),
    bigPiece.map((p) => ({ type: 'text_delta', message: { role: 'assistant', content: [{ type: 'text', text: 'q'.repeat(520) + p }] }, delta: p })),
  );

  it('writes each envelope (fields in Go order, payload left out when undefined or null) as the plain encoding does', () => {
    fc.assert(
      fc.property(text, text, fc.array(fc.tuple(text, payload), { minLength: 1, maxLength: 12 }), (runId, sessionId, events) => {
        let n = 0;
        const now = (): Date => new GoInstant(1_764_590_400_123 + n, (n * 7919) % 1_000_000);
        const run = new Run({ id: runId, sessionId, clientId: '', now, eventId: () => `evt_${++n}` });
        const expected: Uint8Array[] = [];
        for (const [type, value] of events) {
          if (/[\r\n]/.test(type)) continue;
          const seq = run.frameCount + 1;
          run.emit(type, value);
          const at = now(); // the clock the emit read: it follows the event id
          const envelope: Record<string, unknown> = { version: 1, id: `evt_${n}`, seq, run_id: runId, session_id: sessionId, time: formatGoTime(at), type };
          if (value !== undefined && value !== null) envelope.payload = value;
          expected.push(encodeSseFrame(`evt_${n}`, type, encodeGoJsonPlain(envelope)));
        }
        expect(run.frameCount).toBe(expected.length);
        for (let i = 0; i < expected.length; i++) expect(decoder.decode(run.frameAt(i))).toBe(decoder.decode(expected[i]));
      }),
      { numRuns: 200 },
    );
  });
});
