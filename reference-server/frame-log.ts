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
import { LONG_STRING, goJsonString, writeGoJson, writeGoJsonMember } from './go-json.js';
import type { GoJsonOut } from './go-json.js';
import { encodeSseJsonFrame } from './sse.js';

const encoder = new TextEncoder();
const lineBreak = /[\r\n]/;

/**
 * In Node, assembled frames are cut from shared slabs, as its Buffer pool does for small buffers:
 * a buffer of its own per frame costs more than the copying (bench/profile). A slab is freed once
 * the frames cut from it are written and dropped; frames past MAX_SLICE get their own buffer. Not
 * in browsers: a frame posted to MSW's worker is structured-cloned with its whole ArrayBuffer.
 */
const SLAB = 256 * 1024;
const MAX_SLICE = 32 * 1024;
const useSlabs = (globalThis as { Buffer?: unknown }).Buffer !== undefined;
let slab = new Uint8Array(0);
let slabUsed = 0;

function allocate(size: number): Uint8Array {
  if (size > MAX_SLICE || !useSlabs) return new Uint8Array(size);
  if (slab.byteLength - slabUsed < size) {
    slab = new Uint8Array(SLAB);
    slabUsed = 0;
  }
  const bytes = slab.subarray(slabUsed, slabUsed + size);
  slabUsed += (size + 7) & ~7; // 8-byte aligned, as Node's pool
  return bytes;
}

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

/**
 * A frame with long strings: its own bytes (`ownLength` from `start` in a chunk shared with other
 * frames) and, in `marks`, triples (offset into the own bytes, store, byte length of its prefix):
 * where each long string's bytes go. One object and one array per frame: a flood has thousands.
 */
class SharedFrame {
  constructor(
    readonly chunk: Uint8Array,
    readonly start: number,
    readonly ownLength: number,
    readonly marks: readonly (number | TextStore)[],
    readonly byteLength: number,
  ) {}
}

type Frame = Uint8Array | SharedFrame;

/** Heap a shared frame costs besides its bytes (its object and marks array), counted in `bytes` so retention sees it. */
const SHARED_FRAME_OVERHEAD = 96;

/** Stores kept to extend: the message text, and one more (a long delta or tool result) so they do not evict each other. */
const STORES = 2;

/** Frames' own bytes are packed into chunks of this run's memory (no buffer per frame); chunks double up to this size. */
const MIN_CHUNK = 4096;
const MAX_CHUNK = 256 * 1024;

export class FrameLog {
  private readonly frames: Frame[] = [];
  private stores: TextStore[] = [];
  /** Bytes held: the chunks of frames' own bytes, plain frames, the stores' buffers, shared frames' objects. */
  bytes = 0;
  private chunk = new Uint8Array(0);
  private chunkUsed = 0;

  get length(): number {
    return this.frames.length;
  }

  /** Appends the frame of one event (`data` is `envelope` in Go's compact JSON). */
  append(id: string, type: string, envelope: unknown): void {
    const out = new FrameOut(this);
    writeGoJson(envelope, out);
    this.push(id, type, out);
  }

  /**
   * The same for an envelope whose leading members are already JSON text: `head` is `{` and those
   * members; `payload` follows as the last member (left out when undefined), then `}`.
   */
  appendEnvelope(id: string, type: string, head: string, payload: unknown): void {
    const out = new FrameOut(this);
    out.text = head;
    writeGoJsonMember('payload', payload, out);
    out.text += '}';
    this.push(id, type, out);
  }

  private push(id: string, type: string, out: FrameOut): void {
    if (out.refs.length === 0) {
      const frame = encodeSseJsonFrame(id, type, out.text);
      this.frames.push(frame);
      this.bytes += frame.byteLength;
      return;
    }
    // encodeSseFrame's check: a line break in the id or type would forge fields. Compact JSON has
    // none (strings escape them), so the data needs no scan.
    if (lineBreak.test(id) || lineBreak.test(type)) throw new Error(`Failed to encode SSE frame: line break in event ${JSON.stringify(type)}`);
    const pieces = out.pieces;
    pieces.push(out.text);
    pieces[0] = `id: ${id}\nevent: ${type}\ndata: ${pieces[0]}`;
    pieces[pieces.length - 1] += '\n\n';
    let chars = 0;
    for (const piece of pieces) chars += piece.length;
    const space = this.space(chars * 3); // UTF-8 takes at most 3 bytes per UTF-16 unit
    const start = this.chunkUsed;
    const refs = out.refs;
    const marks: (number | TextStore)[] = [];
    let at = 0;
    let byteLength = 0;
    for (let k = 0; k < pieces.length; k++) {
      at += encoder.encodeInto(pieces[k]!, space.subarray(start + at)).written;
      if (2 * k < refs.length) {
        const length = refs[2 * k + 1] as number;
        marks.push(at, refs[2 * k]!, length);
        byteLength += length;
      }
    }
    this.chunkUsed += at;
    this.frames.push(new SharedFrame(space, start, at, marks, byteLength + at));
    this.bytes += SHARED_FRAME_OVERHEAD;
  }

  /** The current chunk, with at least `size` bytes free from `chunkUsed` (a new one if not). */
  private space(size: number): Uint8Array {
    if (this.chunk.byteLength - this.chunkUsed >= size) return this.chunk;
    this.chunk = new Uint8Array(Math.max(size, Math.min(MAX_CHUNK, Math.max(MIN_CHUNK, this.chunk.byteLength * 2))));
    this.chunkUsed = 0;
    this.bytes += this.chunk.byteLength;
    return this.chunk;
  }

  /** The bytes of frame `index` (assembled anew for a frame with long strings), or undefined past the end. */
  at(index: number): Uint8Array | undefined {
    const frame = this.frames[index];
    if (frame === undefined || frame instanceof Uint8Array) return frame;
    const bytes = allocate(frame.byteLength);
    const { chunk, start, marks } = frame;
    let from = start;
    let to = 0;
    for (let k = 0; k < marks.length; k += 3) {
      const cut = start + (marks[k] as number);
      const store = marks[k + 1] as TextStore;
      const length = marks[k + 2] as number;
      bytes.set(chunk.subarray(from, cut), to);
      to += cut - from;
      from = cut;
      bytes.set(store.bytes.subarray(0, length), to);
      to += length;
    }
    bytes.set(chunk.subarray(from, start + frame.ownLength), to);
    return bytes;
  }

  /** Pushes onto `refs` the store holding `s` (found, extended or new) and the length of `s`'s bytes in it. */
  reference(s: string, refs: (number | TextStore)[]): void {
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
    if (this.stores[0] !== found) this.stores = [found, ...this.stores.filter((store) => store !== found)].slice(0, STORES);
    refs.push(found, found.length);
  }
}

/** Collects an envelope's JSON as pieces of text between long strings, which go to the run's stores. */
class FrameOut implements GoJsonOut {
  text = '';
  readonly pieces: string[] = [];
  /** Pairs (store, byte length): one per long string, in order. */
  readonly refs: (number | TextStore)[] = [];

  constructor(private readonly log: FrameLog) {}

  longString(s: string): void {
    if (s.length < LONG_STRING) {
      this.text += goJsonString(s);
      return;
    }
    this.pieces.push(this.text + '"');
    this.log.reference(s, this.refs);
    this.text = '"';
  }
}

