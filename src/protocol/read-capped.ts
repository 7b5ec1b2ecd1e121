/**
 * Reads a body stream as UTF-8 text under a byte cap, so one peer cannot exhaust our memory.
 * Shared by the daemon (request bodies) and the suite's client (response bodies).
 */
const decoder = new TextDecoder('utf-8', { fatal: false });

/** The text, or `undefined` once more than `maxBytes` arrived (the stream is then canceled). */
export async function readTextCapped(body: ReadableStream<Uint8Array> | null, maxBytes: number): Promise<string | undefined> {
  if (!body) return '';
  const reader = body.getReader();
  const chunks: Uint8Array[] = [];
  let total = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    total += value.byteLength;
    if (total > maxBytes) {
      await reader.cancel().catch(() => undefined);
      return undefined;
    }
    chunks.push(value);
  }
  if (chunks.length === 1 && chunks[0]) return decoder.decode(chunks[0]);
  const all = new Uint8Array(total);
  let offset = 0;
  for (const chunk of chunks) {
    all.set(chunk, offset);
    offset += chunk.byteLength;
  }
  return decoder.decode(all);
}
