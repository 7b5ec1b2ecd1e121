/**
 * Serves a daemon on node:http, laying answers out as Go's net/http writes them (headers sorted,
 * then Date, then the length; `Content-Length` up to 2048 bytes, chunked past it; SSE one event per
 * chunk, with backpressure). Two ways in, the same bytes out:
 * - the reference server's own core (`directDispatch`, exchange.ts): the request is read straight
 *   from the IncomingMessage and the answer (bytes, or the run's frame feed) written straight to
 *   the ServerResponse: no web object per request;
 * - any other `handle(Request): Promise<Response>` (a server wrapped by faults or workbench layers,
 *   a test handler): IncomingMessage → Request (streamed body; on a GET, an AbortSignal that fires
 *   when the client goes away) and Response → ServerResponse.
 * The daemon's behaviour lives in the core; this file only moves bytes.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import { directDispatchOf, type DaemonRequest, type DaemonResponse, type EventFeed, type HeaderPairs } from './exchange.js';
import { withRawTarget } from './raw-target.js';
import { malformedTargetBody } from './responses.js';
import { decodedPath } from './routes.js';

/** The one thing the adapter needs from a reference server. */
export interface FetchHandler {
  handle(request: Request): Promise<Response>;
}

export type NodeListener = (req: IncomingMessage, res: ServerResponse) => void;

/**
 * Go's net/http buffers this many bytes before it switches a response to chunked encoding; a body
 * that fits gets a `Content-Length` (capture 155 shows a 2306-byte body sent chunked).
 */
const GO_CHUNKING_THRESHOLD = 2048;
/** Go drains at most this much of an unread request body to keep the connection; more closes it. */
const MAX_DRAIN_BYTES = 256 * 1024;
/** A HEAD answer is computed from the GET-like body; never read more than this of it. */
const MAX_HEAD_BODY_BYTES = 1024 * 1024;
/** Methods a fetch `Request` refuses to carry. The core routes only GET/POST/DELETE, so any other token answers alike. */
const FORBIDDEN_METHODS = new Set(['CONNECT', 'TRACE', 'TRACK']);
const STAND_IN_METHOD = 'X-UNSUPPORTED';
/** Framing headers belong to the transport: the adapter decides them, as net/http does. */
const TRANSPORT_HEADERS = new Set(['content-length', 'transfer-encoding', 'date', 'keep-alive']);

/**
 * Requests parsed on one connection and not yet answered. Past it the socket is no longer read,
 * so a peer that pipelines requests without reading the answers is held back by TCP instead of
 * growing our memory. Real clients send one request at a time.
 */
export const MAX_PIPELINED_REQUESTS = 16;
/**
 * A peer that accepts no byte of a pending answer for this long is cut (a stalled stream reader
 * would otherwise hold its slot forever). Generous: a reading client drains in milliseconds.
 */
export const DEFAULT_STALLED_READER_MS = 60_000;

const encoder = new TextEncoder();

/** Go's `writeError` envelope as raw bytes, for answers produced outside the handler. */
export function errorBody(code: string, message: string): Uint8Array {
  return encoder.encode(JSON.stringify({ error: { code, message, retryable: false } }) + '\n');
}

export interface NodeListenerOptions {
  /** See DEFAULT_STALLED_READER_MS. */
  stalledReaderMs?: number;
}

/** The requests of one connection, served one at a time as Go's net/http does. */
interface Lane {
  /** Requests waiting for their turn, as flat req, res pairs from `head` on (no closure or promise per waiting request). */
  waiting: Array<IncomingMessage | ServerResponse | undefined>;
  head: number;
  /** Requests parsed and not yet answered (the one being served included). */
  queued: number;
  busy: boolean;
}

/** Past this many served entries a lane's waiting array drops them (it is reset whenever it runs empty). */
const LANE_COMPACT_AT = 4096;

const ignore = (): void => undefined;

/** A node:http request listener serving `handler`; `origin` is the base URL requests are resolved against. */
export function createNodeListener(handler: FetchHandler, origin: () => string, options: NodeListenerOptions = {}): NodeListener {
  const stallMs = options.stalledReaderMs ?? DEFAULT_STALLED_READER_MS;
  const target = directDispatchOf(handler) ?? handler;
  const lanes = new WeakMap<Socket, Lane>();

  /** Serves a connection's requests one at a time until none waits. */
  async function runLane(lane: Lane, socket: Socket): Promise<void> {
    lane.busy = true;
    while (lane.head < lane.waiting.length) {
      const req = lane.waiting[lane.head] as IncomingMessage;
      const res = lane.waiting[lane.head + 1] as ServerResponse;
      lane.waiting[lane.head] = lane.waiting[lane.head + 1] = undefined;
      lane.head += 2;
      if (lane.head === lane.waiting.length) {
        lane.waiting.length = 0;
        lane.head = 0;
      } else if (lane.head >= LANE_COMPACT_AT) {
        lane.waiting.splice(0, lane.head);
        lane.head = 0;
      }
      try {
        await serveOne(target, origin, req, res, stallMs);
        await settled(res);
        // The answer sits in our buffer: serve nothing more on this connection until the peer reads it.
        if (!socket.destroyed && socket.writableNeedDrain && !(await writable(socket, stallMs))) socket.destroy();
        // A pipelined burst would otherwise run as one chain of callbacks that never lets the event
        // loop poll other connections (a health check waited seconds): one turn of the loop each.
        if (lane.queued > 1) await new Promise((resolve) => setImmediate(resolve));
      } catch {
        // The answer was cut; the connection tells the peer.
      } finally {
        lane.queued--;
        if (lane.queued <= MAX_PIPELINED_REQUESTS / 2) releaseReading(socket);
      }
    }
    lane.busy = false;
  }

  return (req, res) => {
    // Unhandled 'error' events would crash the process; a reset socket is routine here.
    req.on('error', ignore);
    res.on('error', ignore);
    const socket = req.socket;
    let lane = lanes.get(socket);
    if (!lane) {
      const created: Lane = { waiting: [], head: 0, queued: 0, busy: false };
      lane = created;
      lanes.set(socket, created);
      // node resumes reading whenever its own output accounting drains (socketOnDrain), whatever we
      // hold; 'resume' is emitted on the next tick, before any read, so hold again right there.
      socket.on('resume', () => {
        if (created.queued > MAX_PIPELINED_REQUESTS) holdReading(socket);
      });
    }
    lane.queued++;
    // Every request past the cap holds reading again (node may have resumed it for its own reasons).
    if (lane.queued > MAX_PIPELINED_REQUESTS) holdReading(socket);
    lane.waiting.push(req, res);
    // A request on an idle connection is served at once; a pipelined one waits for those ahead of it.
    if (!lane.busy) void runLane(lane, socket);
  };
}

/**
 * node's http server resumes a connection after every parsed request unless its own pipelining
 * flag `_paused` is set (and then pauses the parser too); so hold and release reading exactly the
 * way node's own pipeline back-pressure does (`parserOnIncoming` / `socketOnDrain` in _http_server).
 */
type ServerSocket = Socket & { _paused?: boolean; parser?: { pause(): void; resume(): void } | null };

function holdReading(socket: ServerSocket): void {
  socket._paused = true;
  socket.pause();
}

function releaseReading(socket: ServerSocket): void {
  // While node's own write back-pressure is on, node resumes on 'drain' itself.
  if (!socket._paused || socket.destroyed || socket.writableNeedDrain) return;
  socket._paused = false;
  socket.parser?.resume();
  socket.resume();
}

/** Resolves once the response has finished or its connection closed. */
function settled(res: ServerResponse): Promise<void> {
  if (res.writableFinished || res.destroyed) return Promise.resolve();
  return new Promise((resolve) => {
    const done = (): void => {
      res.off('finish', done);
      res.off('close', done);
      resolve();
    };
    res.on('finish', done);
    res.on('close', done);
  });
}

type Dispatch = (request: DaemonRequest) => Promise<DaemonResponse>;

async function serveOne(
  handler: FetchHandler | Dispatch,
  origin: () => string,
  req: IncomingMessage,
  res: ServerResponse,
  stallMs: number,
): Promise<void> {
  // A pipelined request whose connection closed while it waited for its turn: nothing to answer.
  if (res.destroyed || req.socket.destroyed) return;
  // Go's net/http refuses an HTTP/1.1 request without exactly one Host header before any handler runs.
  const hostProblem = hostHeaderProblem(req);
  if (hostProblem) {
    rejectAndClose(res, 400, hostProblem.reason, hostProblem.message);
    return;
  }
  const exchange: Exchange = { gone: false, onGone: undefined };
  // Each is emitted once per response: `on` spares the wrapper `once` allocates per request.
  res.on('close', () => {
    if (res.writableFinished) return;
    exchange.gone = true;
    exchange.onGone?.();
  });
  res.on('finish', () => drainUnreadBody(req));

  const target = requestTarget(req.url ?? '');
  if (target !== undefined && decodedPath(target.split('?', 1)[0] ?? '') === undefined) {
    writeMalformedTarget(res);
    return;
  }
  if (target === undefined) {
    writeSimple(res, 400, errorBody('invalid_request', 'malformed HTTP request'));
    return;
  }
  if (typeof handler === 'function') await serveDirect(handler, target, req, res, exchange, stallMs);
  else await serveWeb(handler, origin(), target, req, res, exchange, stallMs);
}

/** Whether the client of one request went away before its answer was written, and what to do then. */
interface Exchange {
  gone: boolean;
  onGone: (() => void) | undefined;
}

async function serveDirect(
  dispatch: Dispatch,
  target: string,
  req: IncomingMessage,
  res: ServerResponse,
  exchange: Exchange,
  stallMs: number,
): Promise<void> {
  let response: DaemonResponse;
  try {
    response = await dispatch(new NodeDaemonRequest(req, target));
  } catch {
    writeSimple(res, 500, errorBody('internal', 'internal server error'));
    return;
  }
  const feed = response.events;
  if (res.destroyed || exchange.gone) {
    // The reader left before the stream began: the core sees it leave (and cancels the run).
    feed?.disconnect();
    return;
  }
  if (!feed) {
    await writeBody(req, res, response.status, response.headers, response.body, stallMs);
    return;
  }
  exchange.onGone = () => feed.disconnect();
  if (req.method === 'HEAD') {
    // Unreachable (the one SSE route is GET-only); a HEAD never waits on a run.
    feed.disconnect();
    writeHead(res, response.status, response.headers, 0);
    res.end();
    return;
  }
  writeHead(res, response.status, response.headers);
  res.socket?.setNoDelay(true);
  await pumpFeed(feed, res, exchange, stallMs);
}

/** A whole body, framed as net/http frames it: a length up to its buffer size, chunked past it. */
async function writeBody(
  req: IncomingMessage,
  res: ServerResponse,
  status: number,
  pairs: HeaderPairs,
  text: string | Uint8Array,
  stallMs: number,
): Promise<void> {
  // A string goes out as is: node sends the header block and a string body as one write.
  const length = typeof text === 'string' ? Buffer.byteLength(text, 'utf8') : text.byteLength;
  if (req.method === 'HEAD') {
    writeHead(res, status, pairs, length);
    res.end();
    return;
  }
  if (length <= GO_CHUNKING_THRESHOLD) {
    writeHead(res, status, pairs, length);
    res.end(text);
    return;
  }
  writeHead(res, status, pairs);
  if (!res.write(text) && !(await writable(res, stallMs))) {
    res.destroy();
    return;
  }
  if (!res.destroyed) res.end();
}

/** One `write` per frame (one SSE event = one HTTP chunk, as in capture 051), until the run is done or the reader left. */
async function pumpFeed(feed: EventFeed, res: ServerResponse, exchange: Exchange, stallMs: number): Promise<void> {
  // The header block leaves with the frames ready now (one socket write), or alone before a wait.
  let sent = false;
  for (;;) {
    if (exchange.gone || res.destroyed) return;
    const frame = feed.next();
    if (!frame) {
      if (feed.ended) break;
      if (!sent) res.flushHeaders();
      sent = true;
      await feed.ready();
      continue;
    }
    sent = true;
    if (frame.byteLength === 0) continue;
    if (CORKED_WRITES_MERGE) while (res.writableCorked > 0) res.uncork();
    if (!res.write(frame) && !(await writable(res, stallMs))) {
      // A stalled reader: close its connection, which ends the feed and frees the stream slot.
      res.destroy();
      feed.disconnect();
      return;
    }
  }
  if (!res.destroyed) res.end();
}

/**
 * The core's view of one node request: the raw target, header lookups on node's parsed headers
 * (node keeps the first of a repeated Authorization and joins other repeats with `, `, as web
 * `Headers` does), and a body read on demand into one capped buffer.
 */
class NodeDaemonRequest implements DaemonRequest {
  readonly method: string;
  readonly rawPath: string;
  readonly rawQuery: string;

  constructor(
    private readonly req: IncomingMessage,
    private readonly target: string,
  ) {
    this.method = req.method ?? 'GET';
    const query = target.indexOf('?');
    this.rawPath = query < 0 ? target : target.slice(0, query);
    this.rawQuery = query < 0 ? '' : target.slice(query);
  }

  targetLongerThan(maxBytes: number): boolean {
    // The URL serialiser writes at most 9 bytes per UTF-16 unit (`%E2%82%AC`), and only drops
    // bytes (dot segments): a short target needs no URL at all.
    if (this.target.length * 9 <= maxBytes) return false;
    const url = new URL('http://h' + this.target);
    return Buffer.byteLength(url.href, 'utf8') - url.origin.length > maxBytes;
  }

  header(name: string): string | null {
    const value = this.req.headers[name];
    if (value === undefined) return null;
    return typeof value === 'string' ? value : value.join(', ');
  }

  readBody(maxBytes: number): Promise<Uint8Array | undefined> {
    // Only methods a fetch Request carries a body for have one here (a GET's body is drained after the answer).
    if (this.method === 'GET' || this.method === 'HEAD') return Promise.resolve(new Uint8Array(0));
    return readCapped(this.req, maxBytes);
  }

  discardBody(): Promise<void> {
    return Promise.resolve();
  }
}

/** Initial buffer of a body that arrives in more than one chunk; it doubles up to the cap. */
const FIRST_BODY_CAPACITY = 16 * 1024;

/**
 * The body as one buffer, or undefined once more than `maxBytes` arrived (reading then stops; the
 * rest is drained after the answer, within a cap, or the connection closed). One buffer, not one
 * object per chunk: a body sent in one-byte chunks costs its bytes, not a million chunks.
 */
function readCapped(req: IncomingMessage, maxBytes: number): Promise<Uint8Array | undefined> {
  return new Promise((resolve, reject) => {
    let buffer: Uint8Array = new Uint8Array(0);
    let owned = false;
    let total = 0;
    const onData = (chunk: Buffer): void => {
      const needed = total + chunk.byteLength;
      if (needed > maxBytes) {
        stop();
        req.pause();
        resolve(undefined);
        return;
      }
      if (total === 0) {
        buffer = chunk;
        total = needed;
        return;
      }
      if (!owned || buffer.byteLength < needed) {
        let capacity = Math.max(FIRST_BODY_CAPACITY, owned ? buffer.byteLength : 0);
        while (capacity < needed) capacity *= 2;
        const grown = new Uint8Array(Math.min(capacity, maxBytes));
        grown.set(buffer.subarray(0, total));
        buffer = grown;
        owned = true;
      }
      buffer.set(chunk, total);
      total = needed;
    };
    const onEnd = (): void => {
      stop();
      resolve(buffer.subarray(0, total));
    };
    const onError = (error: unknown): void => {
      stop();
      reject(error instanceof Error ? error : new Error(String(error)));
    };
    // Closed before its end: the client went away mid-body.
    const onClose = (): void => onError(new Error('request body aborted'));
    function stop(): void {
      req.off('data', onData);
      req.off('end', onEnd);
      req.off('error', onError);
      req.off('close', onClose);
    }
    if (req.readableEnded) return resolve(new Uint8Array(0));
    req.on('data', onData);
    req.on('end', onEnd);
    req.on('error', onError);
    req.on('close', onClose);
  });
}

async function serveWeb(
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

/** Go's answer (`400 Bad Request: missing required Host header`, or `too many Host headers`), or none. */
function hostHeaderProblem(req: IncomingMessage): { reason: string; message: string } | undefined {
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
function rejectAndClose(res: ServerResponse, status: number, reason: string, message: string): void {
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

/**
 * Origin-form targets are used as is (so `//x` stays a path); absolute-form ones are reduced to
 * their raw path + query, dot segments kept (`http://h/a/../b` routes `/a/../b`, as Go).
 */
function requestTarget(raw: string): string | undefined {
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
function writeMalformedTarget(res: ServerResponse): void {
  const socket = res.socket;
  if (!socket || socket.destroyed) return;
  res.shouldKeepAlive = false;
  socket.end(
    'HTTP/1.1 400 Bad Request\r\nContent-Type: text/plain; charset=utf-8\r\nConnection: close\r\n\r\n' + malformedTargetBody,
    'latin1',
  );
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

/** After the answer: read what the handler left of the body so the connection can be reused, within a cap. */
function drainUnreadBody(req: IncomingMessage): void {
  if (req.complete || req.destroyed) return;
  let drained = 0;
  req.on('data', (chunk: Buffer) => {
    drained += chunk.byteLength;
    if (drained > MAX_DRAIN_BYTES) req.socket.destroy();
  });
  req.resume();
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

/** Go's CanonicalMIMEHeaderKey: `content-type` → `Content-Type`. */
function canonical(name: string): string {
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
function writeHead(res: ServerResponse, status: number, pairs: HeaderPairs, contentLength?: number): void {
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

function writeSimple(res: ServerResponse, status: number, body: Uint8Array): void {
  if (res.headersSent) {
    res.destroy();
    return;
  }
  if (res.destroyed) return;
  writeHead(res, status, [['Content-Type', 'application/json']], body.byteLength);
  res.end(body);
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
    if (!res.write(bytes) && !(await writable(res, stallMs))) {
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

/**
 * node corks a response after a write until the next tick. Node 20 and 22 still frame each corked
 * write as its own HTTP chunk; Node 24 sends them all as ONE chunk, so there each write is uncorked
 * first (one socket write per event, as Go's Flush; on 20/22 that would only cost throughput).
 */
const CORKED_WRITES_MERGE = Number(process.versions.node.split('.')[0]) >= 24;

/** One `write` per chunk the handler enqueues (one SSE event = one HTTP chunk, as in capture 051). */
async function pump(reader: ReadableStreamDefaultReader<Uint8Array>, res: ServerResponse, stallMs: number): Promise<void> {
  for (;;) {
    const next = await reader.read();
    if (next.done || res.destroyed) break;
    if (next.value.byteLength === 0) continue;
    if (CORKED_WRITES_MERGE) while (res.writableCorked > 0) res.uncork();
    if (!res.write(next.value) && !(await writable(res, stallMs))) {
      // A stalled reader: close its connection, which cancels the body and frees the stream slot.
      res.destroy();
      return;
    }
  }
  if (!res.destroyed) res.end();
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
function writable(stream: Drainable, stallMs: number): Promise<boolean> {
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
