/**
 * Serves a daemon on node:http, laying answers out as Go's net/http writes them (headers sorted,
 * then Date, then the length; `Content-Length` up to 2048 bytes, chunked past it; SSE one event per
 * chunk, with backpressure). This file owns the connection: one request at a time per connection
 * (as net/http), reading held back while too many pipelined requests wait, Go's pre-handler
 * refusals; then one of two ways in, the same bytes out:
 * - the reference server's own core (`directDispatch`, exchange.ts) through node-direct.ts: no web
 *   object per request;
 * - any other `handle(Request): Promise<Response>` (a server wrapped by faults or workbench layers,
 *   a test handler) through node-web.ts.
 * What both write is in node-wire.ts. The daemon's behaviour lives in the core; these only move bytes.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import { directDispatchOf } from './exchange.js';
import { decodedPath } from './routes.js';
import { errorBody, type Exchange, hostHeaderProblem, rejectAndClose, requestTarget, writeMalformedTarget, drainUnreadBody, writeSimple, writable } from './node-wire.js';
import { type Dispatch, serveDirect } from './node-direct.js';
import { serveWeb } from './node-web.js';

/** The one thing the adapter needs from a reference server. */
export interface FetchHandler {
  handle(request: Request): Promise<Response>;
}

export type NodeListener = (req: IncomingMessage, res: ServerResponse) => void;

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

export interface NodeListenerOptions {
  /** See DEFAULT_STALLED_READER_MS. */
  stalledReaderMs?: number;
}

/** The requests of one connection, served one at a time as Go's net/http does. */
interface Lane {
  /** Holding reading was hooked to node's own 'resume' (see holdReading). */
  hooked: boolean;
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
        const served = await serveOne(target, origin, req, res, stallMs);
        await (served ? served.settled() : settled(res));
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
    const socket = req.socket as LaneSocket;
    // On the socket itself: a WeakMap entry per connection costs the GC an ephemeron each.
    let lane = socket[laneKey];
    if (!lane) {
      lane = { hooked: false, waiting: [], head: 0, queued: 0, busy: false };
      socket[laneKey] = lane;
    }
    lane.queued++;
    // Every request past the cap holds reading again (node may have resumed it for its own reasons).
    if (lane.queued > MAX_PIPELINED_REQUESTS) holdReading(socket, lane);
    lane.waiting.push(req, res);
    // A request on an idle connection is served at once; a pipelined one waits for those ahead of it.
    if (!lane.busy) void runLane(lane, socket);
  };
}

const laneKey = Symbol('glue-conformance.lane');

type LaneSocket = ServerSocket & { [laneKey]?: Lane };

/**
 * node's http server resumes a connection after every parsed request unless its own pipelining
 * flag `_paused` is set (and then pauses the parser too); so hold and release reading exactly the
 * way node's own pipeline back-pressure does (`parserOnIncoming` / `socketOnDrain` in _http_server).
 */
type ServerSocket = Socket & { _paused?: boolean; parser?: { pause(): void; resume(): void } | null };

function holdReading(socket: ServerSocket, lane: Lane): void {
  if (!lane.hooked) {
    lane.hooked = true;
    // node resumes reading whenever its own output accounting drains (socketOnDrain), whatever we
    // hold; 'resume' is emitted on the next tick, before any read, so hold again right there.
    socket.on('resume', () => {
      if (lane.queued > MAX_PIPELINED_REQUESTS) holdReading(socket, lane);
    });
  }
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

/**
 * One exchange's view of its response: whether the client left before the answer was written,
 * and when the response finished or its connection closed. Its two listeners are the only ones
 * a served request adds.
 */
class Served implements Exchange {
  gone = false;
  onGone: (() => void) | undefined = undefined;
  private ended = false;
  private wake: (() => void) | undefined = undefined;

  constructor(req: IncomingMessage, res: ServerResponse) {
    // Each is emitted once per response: `on` spares the wrapper `once` allocates per request.
    res.on('close', () => {
      if (!res.writableFinished) {
        this.gone = true;
        this.onGone?.();
      }
      this.end();
    });
    res.on('finish', () => {
      drainUnreadBody(req);
      this.end();
    });
  }

  /** Resolves once the response has finished or its connection closed. */
  settled(): Promise<void> {
    if (this.ended) return Promise.resolve();
    return new Promise((resolve) => {
      this.wake = resolve;
    });
  }

  private end(): void {
    this.ended = true;
    const wake = this.wake;
    this.wake = undefined;
    wake?.();
  }
}

/** Serves one request; returns its exchange once it got that far (undefined for an answer written before it). */
async function serveOne(
  handler: FetchHandler | Dispatch,
  origin: () => string,
  req: IncomingMessage,
  res: ServerResponse,
  stallMs: number,
): Promise<Served | undefined> {
  // A pipelined request whose connection closed while it waited for its turn: nothing to answer.
  if (res.destroyed || req.socket.destroyed) return undefined;
  // Go's net/http refuses an HTTP/1.1 request without exactly one Host header before any handler runs.
  const hostProblem = hostHeaderProblem(req);
  if (hostProblem) {
    rejectAndClose(res, 400, hostProblem.reason, hostProblem.message);
    return undefined;
  }
  const exchange = new Served(req, res);
  const target = requestTarget(req.url ?? '');
  if (target !== undefined) {
    const query = target.indexOf('?');
    if (decodedPath(query < 0 ? target : target.slice(0, query)) === undefined) {
      writeMalformedTarget(res);
      return exchange;
    }
  }
  if (target === undefined) {
    writeSimple(res, 400, errorBody('invalid_request', 'malformed HTTP request'));
    return exchange;
  }
  if (typeof handler === 'function') await serveDirect(handler, target, req, res, exchange, stallMs);
  else await serveWeb(handler, origin(), target, req, res, exchange, stallMs);
  return exchange;
}
