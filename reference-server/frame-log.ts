/**
 * A run's event log as SSE frames (`id:`, `event:`, one `data:` line of Go JSON, a blank line),
 * built so a flood costs time and memory proportional to what is new.
 *
 * Every `text_delta` repeats the whole message so far, so a flood's frames hold O(n²) bytes of
 * the same text. Here a long string (≥ LONG_STRING characters) is kept once per run in a
 * `TextStore`: its Go-escaped UTF-8 bytes, appended to as the string grows (only the new tail is
 * escaped and encoded). A frame holding long strings stores its other bytes plus (store, length)
 * references, and `at(i)` assembles the frame's bytes on demand: one allocation and a few copies.
 * Frames without long strings are `encodeSseFrame`'s bytes as they were. The bytes are always those of
 * `encodeSseFrame(id, type, encodeGoJson(envelope))`
 * (test/reference-server/frame-log.test.ts compares them on random texts).
 */
import { LONG_STRING, goJsonString, writeGoJson } from './go-json.js';
import type { GoJsonOut } from './go-json.js';
import { encodeSseFrame } from './sse.js';

const encoder = new TextEncoder();
const lineBreak = /[\r\n]/;

/** Node's Buffer where there is one: an uninitialised allocation (every byte is written next). */
const nodeBuffer = (globalThis as { Buffer?: { allocUnsafe(size: number): Uint8Array } }).Buffer;
const allocate: (size: number) => Uint8Array = nodeBuffer ? (size) => nodeBuffer.allocUnsafe(size) : (size) => new Uint8Array(size);

function isHighSurrogate(code: number): boolean {
  return code >= 0xd800 && code <= 0xdbff;
}

/** The Go-escaped UTF-8 of one growing string, without its quotes. Append-only: old lengths stay valid. */
class TextStore {
  bytes: Uint8Array;
  length: number;

  constructor(public text: string) {
    this.bytes = encoder.encode(goJsonString(text).slice(1, -1));
    this.length = this.bytes.byteLength;
  }

  /**
   * Whether `s` is this text plus more, encodable by escaping only the tail: not when the text ends
   * in a high surrogate (its pair may follow, and a pair is written raw where a lone half is `\ud83d`).
   */
  extendedBy(s: string): boolean {
    const cut = this.text.length;
    if (s.length <= cut || isHighSurrogate(this.text.charCodeAt(cut - 1))) return false;
    // slice, not startsWith: a message built by `text += delta` is a deep rope, and startsWith walks
    // it per character; slice flattens it once and the comparison is then a memcmp.
    return s.slice(0, cut) === this.text;
  }

  /** Appends the tail of `s` (which `extendedBy` accepted); returns bytes newly allocated. */
  extend(s: string): number {
    const tail = goJsonString(s.slice(this.text.length)).slice(1, -1);
    this.text = s;
    let grown = 0;
    const need = this.length + tail.length * 3; // UTF-8 takes at most 3 bytes per UTF-16 unit
    if (need > this.bytes.byteLength) {
      const bigger = new Uint8Array(Math.max(need, this.bytes.byteLength * 2));
      bigger.set(this.bytes.subarray(0, this.length));
      grown = bigger.byteLength - this.bytes.byteLength;
      this.bytes = bigger;
    }
    this.length += encoder.encodeInto(tail, this.bytes.subarray(this.length)).written;
    return grown;
  }
}

/** A frame with long strings: its own bytes, and where in them each referenced store prefix goes. */
interface SharedFrame {
  readonly own: Uint8Array;
  /** Byte offsets into `own`, ascending; `refs[k]` goes at `cuts[k]`. */
  readonly cuts: readonly number[];
  readonly refs: readonly { store: TextStore; length: number }[];
  readonly byteLength: number;
}

type Frame = Uint8Array | SharedFrame;

/** Stores kept to extend: the message text, and one more (a long delta or tool result) so they do not evict each other. */
const STORES = 2;

/** Scratch space for encoding a frame's own bytes (one per process, grown up to a cap; larger frames get their own). */
let scratch = new Uint8Array(4096);
const MAX_SCRATCH = 1024 * 1024;

function scratchFor(chars: number): Uint8Array {
  const need = chars * 3; // UTF-8 takes at most 3 bytes per UTF-16 unit
  if (need <= scratch.byteLength) return scratch;
  if (need > MAX_SCRATCH) return new Uint8Array(need);
  scratch = new Uint8Array(Math.max(need, scratch.byteLength * 2));
  return scratch;
}

export class FrameLog {
  private readonly frames: Frame[] = [];
  private stores: TextStore[] = [];
  /** Bytes held: frames' own bytes plus the stores' buffers. */
  bytes = 0;

  get length(): number {
    return this.frames.length;
  }

  /** Appends the frame of one event (`data` is `envelope` in Go's compact JSON). */
  append(id: string, type: string, envelope: unknown): void {
    const out = new FrameOut(this);
    writeGoJson(envelope, out);
    if (out.refs.length === 0) {
      const frame = encodeSseFrame(id, type, out.text);
      this.frames.push(frame);
      this.bytes += frame.byteLength;
      return;
    }
    // encodeSseFrame's checks: a line break in the id or type would forge fields. The stores hold
    // JSON string bodies, which escape line breaks, so only the frame's own pieces need the scan.
    const pieces = out.pieces;
    pieces.push(out.text);
    if (lineBreak.test(id) || lineBreak.test(type) || pieces.some((piece) => lineBreak.test(piece))) {
      throw new Error(`Failed to encode SSE frame: line break in event ${JSON.stringify(type)}`);
    }
    pieces[0] = `id: ${id}\nevent: ${type}\ndata: ${pieces[0]}`;
    pieces[pieces.length - 1] += '\n\n';
    let chars = 0;
    for (const piece of pieces) chars += piece.length;
    const space = scratchFor(chars);
    const cuts: number[] = [];
    let at = 0;
    let byteLength = 0;
    for (let k = 0; k < pieces.length; k++) {
      at += encoder.encodeInto(pieces[k]!, space.subarray(at)).written;
      const ref = out.refs[k];
      if (ref) {
        cuts.push(at);
        byteLength += ref.length;
      }
    }
    const own = space.slice(0, at);
    this.frames.push({ own, cuts, refs: out.refs, byteLength: byteLength + at });
    this.bytes += own.byteLength;
  }

  /** The bytes of frame `index` (assembled anew for a frame with long strings), or undefined past the end. */
  at(index: number): Uint8Array | undefined {
    const frame = this.frames[index];
    if (frame === undefined || frame instanceof Uint8Array) return frame;
    const bytes = allocate(frame.byteLength);
    let from = 0;
    let to = 0;
    for (let k = 0; k < frame.cuts.length; k++) {
      const cut = frame.cuts[k]!;
      const ref = frame.refs[k]!;
      bytes.set(frame.own.subarray(from, cut), to);
      to += cut - from;
      from = cut;
      bytes.set(ref.store.bytes.subarray(0, ref.length), to);
      to += ref.length;
    }
    bytes.set(frame.own.subarray(from), to);
    return bytes;
  }

  /** The store holding `s` (found, extended or new) and the length of `s`'s bytes in it. */
  store(s: string): { store: TextStore; length: number } {
    let found = this.stores.find((store) => store.text === s);
    if (!found) {
      found = this.stores.find((store) => store.extendedBy(s));
      if (found) this.bytes += found.extend(s);
    }
    if (!found) {
      found = new TextStore(s);
      this.bytes += found.bytes.byteLength;
    }
    // Most recently used first; the least recently used one is dropped (its frames keep it alive).
    this.stores = [found, ...this.stores.filter((store) => store !== found)].slice(0, STORES);
    return { store: found, length: found.length };
  }
}

/** Collects an envelope's JSON as pieces of text between long strings, which go to the run's stores. */
class FrameOut implements GoJsonOut {
  text = '';
  readonly pieces: string[] = [];
  readonly refs: { store: TextStore; length: number }[] = [];

  constructor(private readonly log: FrameLog) {}

  longString(s: string): void {
    if (s.length < LONG_STRING) {
      this.text += goJsonString(s);
      return;
    }
    this.pieces.push(this.text + '"');
    this.refs.push(this.log.store(s));
    this.text = '"';
  }
}

