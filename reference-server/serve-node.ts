/**
 * Serves a reference server (any `handle(Request) → Response`) on node:http, the way
 * `glue-mock-daemon` and the supertest suites reach it. Request translation lives in
 * `node-listener.ts`; this file owns the listener: timeouts, bad-request answers and closing.
 */
import { createServer, ServerResponse, STATUS_CODES, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { createNodeListener, type FetchHandler } from './node-listener.js';
import { errorBody } from './node-wire.js';

export type { FetchHandler } from './node-listener.js';

export interface ServeNodeOptions {
  /** Interface to bind. Default `127.0.0.1`. */
  host?: string;
  /** Port to bind; 0 (default) picks a free one. */
  port?: number;
  /** Time allowed to send the request headers (slow-loris guard). Default 10 s. */
  headersTimeoutMs?: number;
  /**
   * Time allowed to send the whole request (headers and body). Default 60 s. It ends when the
   * request is received, so a long SSE response is never cut by it.
   */
  requestTimeoutMs?: number;
  /**
   * Idle time before a kept-alive connection is closed; 0 (default) keeps it until the client
   * closes it, as Go's ServeLocal (an `http.Server` without IdleTimeout) does.
   */
  keepAliveTimeoutMs?: number;
  /** `close()` waits this long for open responses (SSE streams) to end before cutting them. Default 5 s, as Go's ServeLocal. */
  closeGraceMs?: number;
  /** A peer that accepts none of a pending answer's bytes for this long is disconnected. Default 60 s (Go waits forever). */
  stalledReaderMs?: number;
}

export interface CloseOptions {
  /** Overrides `closeGraceMs` for this close. */
  graceMs?: number;
  /**
   * Called once when the grace ran out with responses still open, before they are cut: end them
   * cleanly here (the reference server's `shutdown()`); they get up to 2 s more to flush.
   */
  onGraceExpired?: () => Promise<void>;
}

export interface CloseResult {
  /** Every response ended within the grace (Go's `Shutdown` returned nil). */
  drained: boolean;
}

export interface NodeServer {
  /** Base URL without a trailing slash, e.g. `http://127.0.0.1:43121` (Go's `base_url`). */
  url: string;
  address: AddressInfo;
  server: Server;
  /** Stops accepting, ends idle keep-alive sockets, lets open responses finish within `closeGraceMs`, then cuts the rest. */
  close(): Promise<void>;
  /** `close()` with Go's `Shutdown` result and a hook to end what the grace left open (glue-mock-daemon on SIGTERM). */
  shutdown(options?: CloseOptions): Promise<CloseResult>;
}

const DEFAULT_HEADERS_TIMEOUT_MS = 10_000;
const DEFAULT_REQUEST_TIMEOUT_MS = 60_000;
const DEFAULT_KEEP_ALIVE_TIMEOUT_MS = 0;
const DEFAULT_CLOSE_GRACE_MS = 5_000;
/** After the grace, responses ended by `onGraceExpired` get this long to flush before the cut. */
const END_AFTER_GRACE_MS = 2_000;
const GO_MAX_HEADER_BYTES = 1 << 20;
/** The kernel caps a listen backlog at net.core.somaxconn. */
const LISTEN_BACKLOG = 65_535;

export async function serveNode(handler: FetchHandler, options: ServeNodeOptions = {}): Promise<NodeServer> {
  const host = options.host ?? '127.0.0.1';
  const requestTimeout = options.requestTimeoutMs ?? DEFAULT_REQUEST_TIMEOUT_MS;
  // Node refuses a headers timeout above the request timeout.
  const headersTimeout = Math.min(options.headersTimeoutMs ?? DEFAULT_HEADERS_TIMEOUT_MS, requestTimeout || Infinity);
  let origin = '';
  const listener = createNodeListener(handler, () => origin, { stalledReaderMs: options.stalledReaderMs });
  const server = createServer(
    {
      noDelay: true,
      // Go's http.DefaultMaxHeaderBytes; node's 16 KiB default would refuse requests Go accepts.
      maxHeaderSize: GO_MAX_HEADER_BYTES,
      // node would answer a missing Host with a bare 400; the listener answers it like Go, with the envelope.
      requireHostHeader: false,
      headersTimeout,
      requestTimeout,
      keepAliveTimeout: options.keepAliveTimeoutMs ?? DEFAULT_KEEP_ALIVE_TIMEOUT_MS,
      // The timeouts above are only enforced on this tick; keep it well under the shortest one.
      connectionsCheckingInterval: Math.max(50, Math.min(5_000, Math.floor(headersTimeout / 4))),
    },
    listener,
  );
  // Socket inactivity must not cut an SSE stream that waits minutes on a permission.
  server.timeout = 0;
  server.on('clientError', answerClientError);
  // Without these listeners node answers by itself: it drops a CONNECT without a word and sends a
  // bare 417 for an unknown Expect. Both must get the JSON envelope like every other bad request.
  server.on('connect', (req: IncomingMessage, socket: Socket) => {
    // CONNECT goes through the handler like any unsupported method (auth first, then 405).
    const res = new ServerResponse(req);
    res.assignSocket(socket);
    res.shouldKeepAlive = false;
    // node leaves a CONNECT socket paused and outside the server's connection list: read and drop
    // whatever the client still sends (else a large body stalls both sides and the socket never
    // closes, so close() waits forever), and cut a client that never closes its side.
    res.once('finish', () => {
      socket.end();
      socket.resume();
      socket.setTimeout(5_000, () => socket.destroy());
    });
    socket.on('error', () => undefined);
    listener(req, res);
  });
  server.on('checkExpectation', (_req: IncomingMessage, res: ServerResponse) => {
    const body = errorBody('invalid_request', 'unsupported Expect header');
    res.writeHead(417, { 'Content-Type': 'application/json', 'Content-Length': body.byteLength, Connection: 'close' });
    res.end(body);
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    // Go listens with the system's maximum backlog (net.core.somaxconn); node's default of 511
    // overflows under a burst of 1,000 connects (dropped SYNs, each retried a second later).
    // Asking for more than the maximum gets the maximum, as Go does.
    server.listen({ port: options.port ?? 0, host, backlog: LISTEN_BACKLOG }, () => {
      server.off('error', reject);
      resolve();
    });
  });
  // After listening, a server error (EMFILE…) must not crash the process.
  server.on('error', () => undefined);

  const address = server.address() as AddressInfo;
  const hostPart = address.family === 'IPv6' || address.address.includes(':') ? `[${address.address}]` : address.address;
  origin = `http://${hostPart}:${address.port}`;

  // Go's http.Server.Shutdown: stop listening (new connections are refused), close idle
  // keep-alive connections at once, let every request in flight finish (an SSE stream keeps
  // streaming) and close its connection after it (`Connection: close` where headers are still to
  // come); only when the grace runs out is what is left handed to `onGraceExpired`, then cut.
  let closing: Promise<CloseResult> | undefined;
  const inFlight = new Set<ServerResponse>();
  const shutdown = (closeOptions: CloseOptions = {}): Promise<CloseResult> => {
    closing ??= new Promise<CloseResult>((resolve) => {
      let drained = true;
      const grace = setTimeout(() => {
        drained = false;
        const cut = (): void => server.closeAllConnections();
        const ending = closeOptions.onGraceExpired?.();
        if (!ending) return cut();
        // The hook ends what is left cleanly; give those responses a moment to flush, then cut.
        const limit = setTimeout(cut, END_AFTER_GRACE_MS);
        limit.unref();
        void ending.catch(() => undefined).then(() => {
          if (inFlight.size === 0) cut();
        });
      }, closeOptions.graceMs ?? options.closeGraceMs ?? DEFAULT_CLOSE_GRACE_MS);
      grace.unref();
      server.close(() => {
        clearTimeout(grace);
        resolve({ drained });
      });
      server.closeIdleConnections();
      for (const res of inFlight) if (!res.headersSent) res.shouldKeepAlive = false;
    });
    return closing;
  };
  server.on('request', (_req, res: ServerResponse) => {
    inFlight.add(res);
    if (closing) res.shouldKeepAlive = false;
    res.once('close', () => {
      inFlight.delete(res);
      // A response that ends after close() leaves a kept-alive socket behind; close it once it idles.
      if (closing) setImmediate(() => server.closeIdleConnections());
    });
  });

  const close = async (): Promise<void> => {
    await shutdown();
  };

  return { url: origin, address, server, close, shutdown };
}

/** A request node's parser rejected (or a timeout): answer with the JSON envelope when the socket allows it. */
function answerClientError(err: Error & { code?: string }, socket: Socket): void {
  const inFlight = (socket as Socket & { _httpMessage?: { headersSent?: boolean } })._httpMessage;
  if (err.code === 'ECONNRESET' || !socket.writable || inFlight?.headersSent) {
    socket.destroy();
    return;
  }
  const [status, code, message] =
    err.code === 'ERR_HTTP_REQUEST_TIMEOUT'
      ? [408, 'invalid_request', 'request timeout']
      : err.code === 'HPE_HEADER_OVERFLOW'
        ? [431, 'invalid_request', 'request header fields too large']
        : [400, 'invalid_request', 'malformed HTTP request'];
  const body = errorBody(code, message);
  const head =
    `HTTP/1.1 ${status} ${STATUS_CODES[status] ?? ''}\r\n` +
    'Content-Type: application/json\r\n' +
    `Date: ${new Date().toUTCString()}\r\n` +
    `Content-Length: ${body.byteLength}\r\n` +
    'Connection: close\r\n\r\n';
  socket.end(Buffer.concat([Buffer.from(head, 'latin1'), body]));
}
