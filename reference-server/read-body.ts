/**
 * Request bodies: read as text under a byte cap (so one request cannot exhaust memory), then
 * decoded the way Go's `json.NewDecoder(r.Body).Decode(&req)` does.
 */
import { decodeGoStruct } from './go-decode.js';
import type { Decoded, StructSpec } from './go-decode.js';
import { bodyTooLarge, invalidJson } from './responses.js';

export type BodyText = { ok: true; text: string } | { ok: false };

const decoder = new TextDecoder('utf-8', { fatal: false });

export async function readBodyText(request: Request, maxBytes: number): Promise<BodyText> {
  const declared = Number(request.headers.get('content-length') ?? '');
  if (Number.isFinite(declared) && declared > maxBytes) {
    await request.body?.cancel().catch(() => undefined);
    return { ok: false };
  }
  if (!request.body) return { ok: true, text: '' };
  const reader = request.body.getReader();
  const chunks: Uint8Array[] = [];
  let total = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    total += value.byteLength;
    if (total > maxBytes) {
      await reader.cancel().catch(() => undefined);
      return { ok: false };
    }
    chunks.push(value);
  }
  if (chunks.length === 1 && chunks[0]) return { ok: true, text: decoder.decode(chunks[0]) };
  const all = new Uint8Array(total);
  let offset = 0;
  for (const chunk of chunks) {
    all.set(chunk, offset);
    offset += chunk.byteLength;
  }
  return { ok: true, text: decoder.decode(all) };
}

export type DecodedBody<S extends StructSpec> = { ok: true; value: Decoded<S> } | { ok: false; response: Response };

/** The body decoded into `spec`, or the answer to send: 413 over the cap, 400 `invalid JSON body`. */
export async function decodeBody<S extends StructSpec>(request: Request, maxBytes: number, spec: S): Promise<DecodedBody<S>> {
  const body = await readBodyText(request, maxBytes);
  if (!body.ok) return { ok: false, response: bodyTooLarge() };
  const value = decodeGoStruct(body.text, spec);
  if (!value) return { ok: false, response: invalidJson() };
  return { ok: true, value };
}
