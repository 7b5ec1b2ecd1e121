/**
 * The daemon core's own request and response: what a route reads and writes, nothing more. The
 * node adapter builds a `DaemonRequest` straight from node:http and writes a `DaemonResponse`
 * straight to the socket (no web `Request`, `Headers`, `AbortSignal` or `ReadableStream` per
 * request: they cost most of the daemon's CPU per run); `fetch-adapter.ts` converts the same two
 * types to and from web `Request`/`Response` for MSW, browsers, tests and the fault middleware.
 */

export interface DaemonRequest {
  readonly method: string;
  /** Path as the client sent it: still percent-encoded, dot segments kept (Go routes on it). */
  readonly rawPath: string;
  /** Query with its leading `?`, or empty. */
  readonly rawQuery: string;
  /** Whether the target, as the WHATWG URL serialises it, is longer than `maxBytes` (the 414 check). */
  targetLongerThan(maxBytes: number): boolean;
  /** A header by lower-case name, repeated ones joined with `, ` (web `Headers.get`). */
  header(name: string): string | null;
  /** The whole body as one buffer, or `undefined` once more than `maxBytes` arrived (reading stops then). */
  readBody(maxBytes: number): Promise<Uint8Array | undefined>;
  /** Leave the body unread (the transport drains it within a cap, or closes the connection). */
  discardBody(): Promise<void>;
}

/** Header name/value pairs, names in Go's canonical form, in the order Go writes them (sorted). */
export type HeaderPairs = readonly (readonly [string, string])[];

/** An answer with its whole body. */
export interface BodyResponse {
  readonly status: number;
  readonly headers: HeaderPairs;
  readonly body: string | Uint8Array;
  readonly events?: undefined;
}

/** An SSE answer: the transport writes each frame the feed yields as one HTTP chunk. */
export interface EventsResponse {
  readonly status: number;
  readonly headers: HeaderPairs;
  readonly events: EventFeed;
  readonly body?: undefined;
}

export type DaemonResponse = BodyResponse | EventsResponse;

/** A replay-then-follow reader over one run's frames, pulled by the transport. */
export interface EventFeed {
  /** The next encoded frame, or undefined when none is ready yet (wait on `ready()`) or the feed `ended`. */
  next(): Uint8Array | undefined;
  /** The run is done and every frame was handed out (the stream then ends cleanly). */
  readonly ended: boolean;
  /** Resolves when `next()` may have something new, the feed ended or the reader left. */
  ready(): Promise<void>;
  /** The reader went away before the end (Go cancels the run then); idempotent. */
  disconnect(): void;
}

/** The core behind `handle()`, for a transport that speaks `DaemonRequest` itself. */
export interface DirectDispatch {
  /**
   * The `handle` this dispatch belongs to: a wrapper (faults, workbench layers) replaces `handle`
   * but not this record, so a transport uses `dispatch` only while `server.handle === handle`.
   */
  readonly handle: (request: Request) => Promise<Response>;
  dispatch(request: DaemonRequest): Promise<DaemonResponse>;
}

export const directDispatch: unique symbol = Symbol('glue-conformance.directDispatch');

/** The direct dispatch of `handler` when no wrapper has replaced its `handle`, else undefined. */
export function directDispatchOf(handler: { handle(request: Request): Promise<Response> }): DirectDispatch['dispatch'] | undefined {
  const direct = (handler as { [directDispatch]?: DirectDispatch })[directDispatch];
  return direct && direct.handle === handler.handle ? direct.dispatch : undefined;
}
