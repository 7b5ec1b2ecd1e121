/**
 * Request bodies: read as text under a byte cap (so one request cannot exhaust memory), then
 * decoded the way Go's `json.NewDecoder(r.Body).Decode(&req)` does.
 */
import { decodeGoStruct } from './go-decode.js';
import type { Decoded, StructSpec } from './go-decode.js';
import { readTextCapped } from '../src/protocol/read-capped.js';
import { bodyTooLarge, invalidJson } from './responses.js';

export type BodyText = { ok: true; text: string } | { ok: false };

export async function readBodyText(request: Request, maxBytes: number): Promise<BodyText> {
  const declared = Number(request.headers.get('content-length') ?? '');
  if (Number.isFinite(declared) && declared > maxBytes) {
    await request.body?.cancel().catch(() => undefined);
    return { ok: false };
  }
  // A BOM stays in the text, so `\uFEFF{…}` is `invalid JSON body` as in Go.
  const text = await readTextCapped(request.body, maxBytes, { keepBom: true });
  return text === undefined ? { ok: false } : { ok: true, text };
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
