/**
 * Reads a body stream as UTF-8 text under a byte cap, so one peer cannot exhaust our memory.
 * Shared by the daemon (request bodies) and the suite's client (response bodies).
 * Chunks are copied into one growing buffer as they arrive: a peer sending a body in one-byte
 * chunks must not make us hold a million chunk objects (each far larger than its byte).
 */
const defaultDecoder = new TextDecoder('utf-8', { fatal: false });
/** Keeps a leading U+FEFF: Go's JSON decoder sees a BOM as an invalid character, so the daemon must too. */
const bomKeepingDecoder = new TextDecoder('utf-8', { fatal: false, ignoreBOM: true });
const FIRST_CAPACITY = 16 * 1024;

/**
 * The text, or `undefined` once more than `maxBytes` arrived (the stream is then canceled).
 * `keepBom` leaves a leading byte-order mark in the text instead of dropping it.
 */
export async function readTextCapped(
  body: ReadableStream<Uint8Array> | null,
  maxBytes: number,
  options: { keepBom?: boolean } = {},
): Promise<string | undefined> {
  const bytes = await readBytesCapped(body, maxBytes);
  return bytes === undefined ? undefined : (options.keepBom ? bomKeepingDecoder : defaultDecoder).decode(bytes);
}

/**
 * Chunks gathered into one buffer of at most `maxBytes`. The first chunk is kept as handed over
 * (no copy for the common one-chunk body); once a second arrives, everything lives in a buffer of
 * our own that doubles up to the cap.
 */
export class CappedBytes {
  private buffer: Uint8Array = new Uint8Array(0);
  private owned = false;
  private total = 0;

  constructor(private readonly maxBytes: number) {}

  /** Adds a chunk; false (nothing kept) once the bytes would pass the cap. */
  add(chunk: Uint8Array): boolean {
    const needed = this.total + chunk.byteLength;
    if (needed > this.maxBytes) return false;
    if (this.total === 0) {
      this.buffer = chunk;
      this.total = needed;
      return true;
    }
    if (!this.owned || this.buffer.byteLength < needed) {
      let capacity = Math.max(FIRST_CAPACITY, this.owned ? this.buffer.byteLength : 0);
      while (capacity < needed) capacity *= 2;
      const grown = new Uint8Array(Math.min(capacity, this.maxBytes));
      grown.set(this.buffer.subarray(0, this.total));
      this.buffer = grown;
      this.owned = true;
    }
    this.buffer.set(chunk, this.total);
    this.total = needed;
    return true;
  }

  bytes(): Uint8Array {
    return this.buffer.subarray(0, this.total);
  }
}

/** The bytes (one buffer of at most `maxBytes`), or `undefined` once more arrived (the stream is then canceled). */
export async function readBytesCapped(body: ReadableStream<Uint8Array> | null, maxBytes: number): Promise<Uint8Array | undefined> {
  if (!body) return new Uint8Array(0);
  const reader = body.getReader();
  const bytes = new CappedBytes(maxBytes);
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    if (!bytes.add(value)) {
      await reader.cancel().catch(() => undefined);
      return undefined;
    }
  }
  return bytes.bytes();
}
