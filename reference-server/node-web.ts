/**
 * The web path, for any other `handle(Request): Promise<Response>` (a server wrapped by faults or
 * workbench layers, a test handler): IncomingMessage → Request (streamed body; on a GET, an
 * AbortSignal that fires when the client goes away) and Response → ServerResponse (streamed body
 * with backpressure, SSE written chunk by chunk).
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { withRawTarget } from './raw-target.js';
import { GO_CHUNKING_THRESHOLD, errorBody, type Exchange, canonical, writeHead, writeSimple, writable, writeChunk } from './node-wire.js';
import type { FetchHandler } from './node-listener.js';

/** A HEAD answer is computed from the GET-like body; never read more than this of it. */
const MAX_HEAD_BODY_BYTES = 1024 * 1024;

/** Methods a fetch `Request` refuses to carry. The core routes only GET/POST/DELETE, so any other token answers alike. */
const FORBIDDEN_METHODS = new Set(['CONNECT', 'TRACE', 'TRACK']);

const STAND_IN_METHOD = 'X-UNSUPPORTED';

/** Framing headers belong to the transport: the adapter decides them, as net/http does. */
const TRANSPORT_HEADERS = new Set(['content-length', 'transfer-encoding', 'date', 'keep-alive']);

export async function serveWeb(
  handler: FetchHandler,
  origin: string,
  target: string,
  req: IncomingMessage,
  res: ServerResponse,
  exchange: Exchange,
  stallMs: number,
): Promise<void> {
  // Only a GET can become an event stream whose handler watches request.signal; for the rest a
  // flag does (an AbortController linked into the Request costs ~4 % of daemon CPU per request).
  const disconnect = req.method === 'GET' ? new AbortController() : undefined;
  if (disconnect) exchange.onGone = () => disconnect.abort();
  const request = toRequest(origin, target, req, disconnect?.signal);
  if (!request) {
    writeSimple(res, 400, errorBody('invalid_request', 'malformed HTTP request'));
    return;
  }
  let response: Response;
  try {
    response = await handler.handle(request);
  } catch {
    writeSimple(res, 500, errorBody('internal', 'internal server error'));
    return;
  }
  if (res.destroyed || exchange.gone) {
    await response.body?.cancel().catch(() => undefined);
    return;
  }
  await writeResponse(req, res, response, stallMs);
}

function toRequest(origin: string, target: string, req: IncomingMessage, signal: AbortSignal | undefined): Request | undefined {
  const method = FORBIDDEN_METHODS.has(req.method ?? '') ? STAND_IN_METHOD : (req.method ?? 'GET');
  try {
    const headers = new Headers();
    // req.headers keeps only the first Authorization (node drops later duplicates), as Go's Header.Get reads.
    for (const [name, value] of Object.entries(req.headers)) {
      if (value === undefined) continue;
      if (Array.isArray(value)) for (const v of value) headers.append(name, v);
      else headers.append(name, value);
    }
    const hasBody = method !== 'GET' && method !== 'HEAD';
    const init: RequestInit & { duplex?: 'half' } = signal ? { method, headers, signal } : { method, headers };
    if (hasBody) {
      init.body = bodyStream(req);
      init.duplex = 'half';
    }
    // The WHATWG URL resolves `.`/`..` segments; the handler routes on the raw target, as Go does.
    return withRawTarget(new Request(origin + target, init), target);
  } catch {
    return undefined;
  }
}

/** A pull-based body: nothing is read from the socket until the handler asks for it. */
function bodyStream(req: IncomingMessage): ReadableStream<Uint8Array> {
  // destroyOnReturn false: a handler that stops reading (body too large) must not kill the socket
  // before its answer is written; the rest is drained or the socket closed after the response.
  const chunks = req.iterator({ destroyOnReturn: false }) as AsyncIterator<Buffer>;
  return new ReadableStream<Uint8Array>(
    {
      async pull(controller) {
        try {
          const next = await chunks.next();
          if (next.done) controller.close();
          else controller.enqueue(new Uint8Array(next.value.buffer, next.value.byteOffset, next.value.byteLength));
        } catch (err) {
          controller.error(err);
        }
      },
      async cancel() {
        await chunks.return?.();
      },
    },
    { highWaterMark: 0 },
  );
}

/** Handler headers sorted by name, as Go's Header.Write does, without the transport's own. */
function headerPairs(headers: Headers): [string, string][] {
  const pairs: [string, string][] = [];
  for (const [name, value] of headers) {
    if (TRANSPORT_HEADERS.has(name)) continue;
    if (name === 'set-cookie') for (const cookie of headers.getSetCookie()) pairs.push([canonical(name), cookie]);
    else pairs.push([canonical(name), value]);
  }
  return pairs.sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
}

function isEventStream(response: Response): boolean {
  return /^\s*text\/event-stream/i.test(response.headers.get('content-type') ?? '');
}

async function writeResponse(req: IncomingMessage, res: ServerResponse, response: Response, stallMs: number): Promise<void> {
  const pairs = headerPairs(response.headers);
  const body = response.body;
  if (!body) {
    writeHead(res, response.status, pairs, 0);
    res.end();
    return;
  }
  const reader = body.getReader();
  // The client went away: cancel the body so the core sees its reader leave (and cancels the run).
  const onClose = (): void => {
    reader.cancel().catch(() => undefined);
  };
  res.once('close', onClose);
  try {
    if (req.method === 'HEAD') {
      const { bytes } = await readPrefix(reader, MAX_HEAD_BODY_BYTES);
      await reader.cancel().catch(() => undefined);
      writeHead(res, response.status, pairs, bytes.byteLength);
      res.end();
      return;
    }
    if (isEventStream(response)) {
      writeHead(res, response.status, pairs);
      res.socket?.setNoDelay(true);
      res.flushHeaders();
      await pump(reader, res, stallMs);
      return;
    }
    const { bytes, done } = await readPrefix(reader, GO_CHUNKING_THRESHOLD);
    if (done) {
      writeHead(res, response.status, pairs, bytes.byteLength);
      res.end(bytes);
      return;
    }
    writeHead(res, response.status, pairs);
    if (!writeChunk(res, bytes) && !(await writable(res, stallMs))) {
      res.destroy();
      return;
    }
    await pump(reader, res, stallMs);
  } catch {
    // The handler's stream failed mid-body: cut the connection so the client sees a truncated body.
    if (!res.headersSent) writeSimple(res, 500, errorBody('internal', 'internal server error'));
    else res.destroy();
  } finally {
    res.off('close', onClose);
  }
}

/** Reads until more than `limit` bytes are held or the body ends. */
async function readPrefix(
  reader: ReadableStreamDefaultReader<Uint8Array>,
  limit: number,
): Promise<{ bytes: Uint8Array; done: boolean }> {
  const chunks: Uint8Array[] = [];
  let total = 0;
  for (;;) {
    const next = await reader.read();
    if (next.done) return { bytes: concat(chunks, total), done: true };
    chunks.push(next.value);
    total += next.value.byteLength;
    if (total > limit) return { bytes: concat(chunks, total), done: false };
  }
}

function concat(chunks: Uint8Array[], total: number): Uint8Array {
  if (chunks.length === 1 && chunks[0]) return chunks[0];
  const all = new Uint8Array(total);
  let offset = 0;
  for (const chunk of chunks) {
    all.set(chunk, offset);
    offset += chunk.byteLength;
  }
  return all;
}

/** One `write` per chunk the handler enqueues (one SSE event = one HTTP chunk, as in capture 051). */
async function pump(reader: ReadableStreamDefaultReader<Uint8Array>, res: ServerResponse, stallMs: number): Promise<void> {
  for (;;) {
    const next = await reader.read();
    if (next.done || res.destroyed) break;
    if (next.value.byteLength === 0) continue;
    if (!writeChunk(res, next.value) && !(await writable(res, stallMs))) {
      // A stalled reader: close its connection, which cancels the body and frees the stream slot.
      res.destroy();
      return;
    }
  }
  if (!res.destroyed) res.end();
}
