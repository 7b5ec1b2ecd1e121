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

/** The bytes (one buffer of at most `maxBytes`), or `undefined` once more arrived (the stream is then canceled). */
export async function readBytesCapped(body: ReadableStream<Uint8Array> | null, maxBytes: number): Promise<Uint8Array | undefined> {
  if (!body) return new Uint8Array(0);
  const reader = body.getReader();
  let buffer: Uint8Array = new Uint8Array(0);
  // The first chunk is kept as the stream handed it (no copy for the common one-chunk body); once
  // a second arrives, everything lives in a buffer of our own that doubles up to the cap.
  let owned = false;
  let total = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    const needed = total + value.byteLength;
    if (needed > maxBytes) {
      await reader.cancel().catch(() => undefined);
      return undefined;
    }
    if (total === 0) {
      buffer = value;
      total = needed;
      continue;
    }
    if (!owned || buffer.byteLength < needed) {
      let capacity = Math.max(FIRST_CAPACITY, owned ? buffer.byteLength : 0);
      while (capacity < needed) capacity *= 2;
      const grown = new Uint8Array(Math.min(capacity, maxBytes));
      grown.set(buffer.subarray(0, total));
      buffer = grown;
      owned = true;
    }
    buffer.set(value, total);
    total = needed;
  }
  return buffer.subarray(0, total);
}
