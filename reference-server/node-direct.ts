/**
 * The direct path: the reference server's own core (`directDispatch`, exchange.ts) served straight
 * from the IncomingMessage to the ServerResponse: the request read on demand into one capped
 * buffer, the answer written as bytes or pulled frame by frame from the run's feed. No web object
 * per request or per event.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { CappedBytes } from '../src/protocol/read-capped.js';
import type { DaemonRequest, DaemonResponse, EventFeed, HeaderPairs } from './exchange.js';
import { GO_CHUNKING_THRESHOLD, errorBody, type Exchange, writeHead, writeSimple, writable, writeChunk } from './node-wire.js';

export type Dispatch = (request: DaemonRequest) => Promise<DaemonResponse>;

export async function serveDirect(
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
    if (!writeChunk(res, frame) && !(await writable(res, stallMs))) {
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

/**
 * The body as one buffer, or undefined once more than `maxBytes` arrived (reading then stops; the
 * rest is drained after the answer, within a cap, or the connection closed). One buffer, not one
 * object per chunk: a body sent in one-byte chunks costs its bytes, not a million chunks.
 */
function readCapped(req: IncomingMessage, maxBytes: number): Promise<Uint8Array | undefined> {
  return new Promise((resolve, reject) => {
    const bytes = new CappedBytes(maxBytes);
    const onData = (chunk: Buffer): void => {
      if (bytes.add(chunk)) return;
      stop();
      req.pause();
      resolve(undefined);
    };
    const onEnd = (): void => {
      stop();
      resolve(bytes.bytes());
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
