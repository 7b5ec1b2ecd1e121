/**
 * What both node paths write as Go's net/http would: the header block (handler headers sorted,
 * then Date, then the length; `Connection: close` when closing), the errors net/http answers
 * before any handler runs (Host, malformed target), draining an unread body, and the bounded wait
 * for a slow reader. One place, so the direct and the web path cannot drift apart.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import type { HeaderPairs } from './exchange.js';
import { malformedTargetBody } from './responses.js';

/**
 * Go's net/http buffers this many bytes before it switches a response to chunked encoding; a body
 * that fits gets a `Content-Length` (capture 155 shows a 2306-byte body sent chunked).
 */
export const GO_CHUNKING_THRESHOLD = 2048;

/** Go drains at most this much of an unread request body to keep the connection; more closes it. */
const MAX_DRAIN_BYTES = 256 * 1024;

const encoder = new TextEncoder();

/** Go's `writeError` envelope as raw bytes, for answers produced outside the handler. */
export function errorBody(code: string, message: string): Uint8Array {
  return encoder.encode(JSON.stringify({ error: { code, message, retryable: false } }) + '\n');
}

/** Whether the client of one request went away before its answer was written, and what to do then. */
export interface Exchange {
  gone: boolean;
  onGone: (() => void) | undefined;
}

/** Go's answer (`400 Bad Request: missing required Host header`, or `too many Host headers`), or none. */
export function hostHeaderProblem(req: IncomingMessage): { reason: string; message: string } | undefined {
  let hosts = 0;
  for (let i = 0; i < req.rawHeaders.length; i += 2) {
    const name = req.rawHeaders[i];
    if (name?.length === 4 && name.toLowerCase() === 'host') hosts++;
  }
  if (hosts > 1) return { reason: 'Bad Request', message: 'too many Host headers' };
  if (hosts === 0 && req.httpVersionMajor === 1 && req.httpVersionMinor >= 1) {
    return { reason: 'Bad Request: missing required Host header', message: 'missing required Host header' };
  }
  if (hosts === 1 && !VALID_HOST.test(req.headers.host ?? '')) {
    return { reason: 'Bad Request: malformed Host header', message: 'malformed Host header' };
  }
  return undefined;
}

/** Go's httpguts.ValidHostHeader: only these bytes may appear in a Host value (an empty one is valid). */
const VALID_HOST = /^[0-9A-Za-z!$%&'()*+,\-.:;=\[\]_~]*$/;

/** An answer produced before the handler, with Go's status line and `Connection: close`, body the JSON envelope. */
export function rejectAndClose(res: ServerResponse, status: number, reason: string, message: string): void {
  const body = errorBody('invalid_request', message);
  res.sendDate = false;
  res.writeHead(status, reason, [
    'Content-Type',
    'application/json',
    'Date',
    httpDate(),
    'Content-Length',
    String(body.byteLength),
    'Connection',
    'close',
  ]);
  res.end(body);
}

/**
 * Origin-form targets are used as is (so `//x` stays a path); absolute-form ones are reduced to
 * their raw path + query, dot segments kept (`http://h/a/../b` routes `/a/../b`, as Go).
 */
export function requestTarget(raw: string): string | undefined {
  if (raw.startsWith('/')) return raw;
  const absolute = /^https?:\/\/[^/?#]*/i.exec(raw);
  if (!absolute) return undefined;
  try {
    new URL(raw);
  } catch {
    return undefined;
  }
  const rest = raw.slice(absolute[0].length).split('#', 1)[0] ?? '';
  return rest.startsWith('/') ? rest : '/' + rest;
}

/**
 * Go's net/http answer to a malformed percent-escape in the target, byte for byte (no Date, no
 * length, body `400 Bad Request`), then the connection is closed.
 */
export function writeMalformedTarget(res: ServerResponse): void {
  const socket = res.socket;
  if (!socket || socket.destroyed) return;
  res.shouldKeepAlive = false;
  socket.end(
    'HTTP/1.1 400 Bad Request\r\nContent-Type: text/plain; charset=utf-8\r\nConnection: close\r\n\r\n' + malformedTargetBody,
    'latin1',
  );
}

/** After the answer: read what the handler left of the body so the connection can be reused, within a cap. */
export function drainUnreadBody(req: IncomingMessage): void {
  if (req.complete || req.destroyed) return;
  let drained = 0;
  req.on('data', (chunk: Buffer) => {
    drained += chunk.byteLength;
    if (drained > MAX_DRAIN_BYTES) req.socket.destroy();
  });
  req.resume();
}

/** Go's CanonicalMIMEHeaderKey: `content-type` → `Content-Type`. */
export function canonical(name: string): string {
  return name.replace(/(^|-)([a-z])/g, (_m, dash: string, ch: string) => dash + ch.toUpperCase());
}

let dateSecond = -1;
let dateText = '';

/** The Date header value (RFC 1123, whole seconds): formatted once per second, not once per answer. */
function httpDate(): string {
  const now = Date.now();
  const second = Math.floor(now / 1000);
  if (second !== dateSecond) {
    dateSecond = second;
    dateText = new Date(now).toUTCString();
  }
  return dateText;
}

/** Write status and headers in Go's order: sorted handler headers, then Date, then the length. */
export function writeHead(res: ServerResponse, status: number, pairs: HeaderPairs, contentLength?: number): void {
  res.sendDate = false;
  // Node would add `Connection: keep-alive` and `Keep-Alive: timeout=5`; Go sends neither unless the handler does.
  res.removeHeader('connection');
  const raw: string[] = [];
  for (const [name, value] of pairs) {
    // A client that asked to close (Connection: close, HTTP/1.0) gets `close`, even on an SSE
    // response whose handler says keep-alive; net/http drops the handler's value and writes
    // `Connection: close` last (measured live against Go).
    if (name === 'Connection' && !res.shouldKeepAlive) continue;
    raw.push(name, value);
  }
  raw.push('Date', httpDate());
  if (contentLength !== undefined) raw.push('Content-Length', String(contentLength));
  // net/http announces a close it is about to do (client sent `Connection: close`, or shutting down).
  if (!res.shouldKeepAlive) raw.push('Connection', 'close');
  res.writeHead(status, raw);
}

export function writeSimple(res: ServerResponse, status: number, body: Uint8Array): void {
  if (res.headersSent) {
    res.destroy();
    return;
  }
  if (res.destroyed) return;
  writeHead(res, status, [['Content-Type', 'application/json']], body.byteLength);
  res.end(body);
}

/**
 * Writes `frame` as one HTTP chunk of `res` (one SSE event = one chunk, as Go flushes each), sent
 * with the others written in this tick as ONE socket write: the socket is corked until the next
 * tick, which is what Node 20 and 22 do themselves. Node 24 corks the response instead and then
 * frames all of a tick's writes as a single chunk, unless the socket is already corked, so corking
 * it here gives every Node the same bytes and one write. (Before, Node 24 was made to uncork per
 * frame: one socket write per event, about 20 % more CPU per `hello` run than this.)
 */
export function writeChunk(res: ServerResponse, frame: Uint8Array): boolean {
  const socket = res.socket;
  if (socket && !socket.writableCorked) {
    socket.cork();
    process.nextTick(uncorkSocket, socket);
  }
  return res.write(frame);
}

function uncorkSocket(socket: Socket): void {
  socket.uncork();
}

interface Drainable {
  readonly writableLength: number;
  readonly destroyed: boolean;
  on(event: 'drain' | 'close', listener: () => void): unknown;
  off(event: 'drain' | 'close', listener: () => void): unknown;
}

/**
 * Resolves true on 'drain' or close, false when no buffered byte went out for `stallMs` (the wait
 * restarts whenever the buffer shrinks, so a slow but moving reader is never cut).
 */
export function writable(stream: Drainable, stallMs: number): Promise<boolean> {
  if (stream.destroyed) return Promise.resolve(true);
  return new Promise((resolve) => {
    let last = stream.writableLength;
    let idleMs = 0;
    const step = Math.max(1, Math.min(1_000, Math.floor(stallMs / 4)));
    const timer = setInterval(() => {
      const now = stream.writableLength;
      idleMs = now < last ? 0 : idleMs + step;
      last = now;
      if (idleMs >= stallMs) finish(false);
    }, step);
    timer.unref();
    const done = (): void => finish(true);
    function finish(ok: boolean): void {
      clearInterval(timer);
      stream.off('drain', done);
      stream.off('close', done);
      resolve(ok);
    }
    stream.on('drain', done);
    stream.on('close', done);
  });
}
