/**
 * Request bodies: read under a byte cap into one buffer (so one request cannot exhaust memory),
 * then decoded the way Go's `json.NewDecoder(r.Body).Decode(&req)` does.
 */
import { decodeGoStruct } from './go-decode.js';
import type { Decoded, StructSpec } from './go-decode.js';
import type { BodyResponse, DaemonRequest } from './exchange.js';
import { bodyTooLarge, invalidJson } from './responses.js';

export type BodyText = { ok: true; text: string } | { ok: false };

/** A BOM stays in the text, so `\uFEFF{…}` is `invalid JSON body` as in Go. */
const bomKeepingDecoder = new TextDecoder('utf-8', { fatal: false, ignoreBOM: true });

export async function readBodyText(request: DaemonRequest, maxBytes: number): Promise<BodyText> {
  const declared = Number(request.header('content-length') ?? '');
  if (Number.isFinite(declared) && declared > maxBytes) {
    await request.discardBody();
    return { ok: false };
  }
  const bytes = await request.readBody(maxBytes);
  return bytes === undefined ? { ok: false } : { ok: true, text: bomKeepingDecoder.decode(bytes) };
}

export type DecodedBody<S extends StructSpec> = { ok: true; value: Decoded<S> } | { ok: false; response: BodyResponse };

/** The body decoded into `spec`, or the answer to send: 413 over the cap, 400 `invalid JSON body`. */
export async function decodeBody<S extends StructSpec>(request: DaemonRequest, maxBytes: number, spec: S): Promise<DecodedBody<S>> {
  const body = await readBodyText(request, maxBytes);
  if (!body.ok) return { ok: false, response: bodyTooLarge() };
  const value = decodeGoStruct(body.text, spec);
  if (!value) return { ok: false, response: invalidJson() };
  return { ok: true, value };
}
