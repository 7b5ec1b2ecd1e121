/**
 * The web-standard face of the daemon core: a fetch `Request` as a `DaemonRequest`, a
 * `DaemonResponse` as a fetch `Response` (SSE as a `ReadableStream` that ends the run's feed when
 * the request's signal aborts). MSW, browsers, tests and the layers that wrap `handle()` (faults,
 * workbench) go through here; the node adapter serves the same core without it.
 */
import { readBytesCapped } from '../src/protocol/read-capped.js';
import type { DaemonRequest, DaemonResponse } from './exchange.js';
import { utf8ByteLength } from './portable-crypto.js';
import { rawPathAndQuery } from './raw-target.js';
import { createEventStream } from './sse.js';

export function fromWebRequest(request: Request): DaemonRequest {
  const url = new URL(request.url);
  // The node adapter records the raw target (dot segments kept); any other Request routes on its URL.
  const raw = rawPathAndQuery(request, url);
  return {
    method: request.method,
    rawPath: raw.path,
    rawQuery: raw.search,
    targetLongerThan: (maxBytes) => utf8ByteLength(request.url) - url.origin.length > maxBytes,
    header: (name) => request.headers.get(name),
    readBody: (maxBytes) => readBytesCapped(request.body, maxBytes),
    discardBody: async () => {
      await request.body?.cancel().catch(() => undefined);
    },
  };
}

export function toWebResponse(response: DaemonResponse, signal?: AbortSignal): Response {
  const headers = new Headers();
  for (const [name, value] of response.headers) headers.append(name, value);
  const body = response.events ? createEventStream(response.events, signal) : response.body;
  return new Response(body as BodyInit, { status: response.status, headers });
}
