/**
 * A small bounded HTTP client for talking to a daemon under test.
 *
 * Every request has a timeout, never follows a redirect (a redirect must not carry the bearer
 * token anywhere), caps the body it reads, and leaves an `Exchange` record so failure messages
 * can show what went over the wire. Bodies are parsed and judged as received: nothing is redacted
 * here. The record holds real (capped) wire data; the token is masked where output is written
 * (src/output/, the one redaction step).
 */
import { detach, excerpt } from './excerpt.js';
import { parseJsonBounded } from './json-bounded.js';
import { readSse, type ReadSseOptions, type SseStream } from './sse-reader.js';
import { readTextCapped } from './read-capped.js';
import { findTokenEcho } from './token-echo.js';

export { EXCERPT_CHARS, detach, excerpt } from './excerpt.js';

/**
 * One request/response pair as shown in failure messages: real wire data, capped (see the limits
 * below), so it may hold the token; it is redacted by the output sink, never before.
 */
export interface Exchange {
  method: string;
  url: string;
  requestHeaders: Record<string, string>;
  requestBody?: string;
  status?: number;
  responseHeaders?: Record<string, string>;
  /** The first `EXCERPT_CHARS` characters of the response body (or SSE stream). */
  responseBody?: string;
  /** Transport failure (timeout, refused connection, body too large…). */
  error?: string;
  durationMs: number;
}

export interface HttpClientOptions {
  /** Daemon base URL, e.g. `http://127.0.0.1:43129`. */
  baseUrl: string;
  /** The bearer token; sent by default. */
  token?: string;
  /** Per-request timeout, connect to last body byte (for streams: connect to headers). Default 10 s. */
  timeoutMs?: number;
  /**
   * Time from the start of a request to its response headers (connecting included), so a daemon
   * that accepts but never answers is told apart early. Default: `timeoutMs`.
   */
  headersTimeoutMs?: number;
  /** Largest response body read, in bytes. Default 8 MiB. */
  maxBodyBytes?: number;
  /** Receives every finished exchange (recording for reports). */
  onExchange?: (exchange: Exchange) => void;
  /** Aborts every request of this client. */
  signal?: AbortSignal;
  /** The fetch implementation; defaults to the global one. Injected rather than patched. */
  fetch?: typeof fetch;
}

/**
 * How to authenticate one request: the configured token, nothing, or an exact header value.
 * `shownAs` is what exchange records show instead of the value, for near-misses of the token
 * (a prefix, another case) that plain redaction would not recognise.
 */
export type AuthMode = 'token' | 'none' | { authorization: string; shownAs?: string };

export interface RequestOptions {
  method?: string;
  /** Path (with query) relative to the base URL, sent as is (no re-encoding). */
  path: string;
  auth?: AuthMode;
  headers?: Record<string, string>;
  /** A string is sent verbatim; anything else is JSON-encoded with `Content-Type: application/json`. */
  body?: unknown;
  timeoutMs?: number;
  signal?: AbortSignal;
}

export interface HttpResult {
  status: number;
  headers: Headers;
  text: string;
  /** The parsed body, or `undefined` when it is not (usable) JSON (`jsonError` says why). */
  json: unknown;
  jsonError?: string;
  /** True when the response returned the bearer token (rule: token-echo.ts). */
  tokenSeen: boolean;
  /** Where it did (`body`, `header location`). */
  tokenEcho?: string;
  exchange: Exchange;
}

export interface StreamResult {
  status: number;
  headers: Headers;
  /** Present when the response has a body; the caller must consume or cancel it. */
  events: SseStream;
  exchange: Exchange;
}

/** A transport-level failure; `exchange` shows how far the request got. */
export class HttpError extends Error {
  constructor(
    message: string,
    readonly exchange: Exchange,
  ) {
    super(message);
    this.name = 'HttpError';
  }
}

export interface HttpClient {
  readonly baseUrl: string;
  request(options: RequestOptions): Promise<HttpResult>;
  /** Opens a response for streaming (SSE). The timeout covers the headers only; the SSE options bound the body. */
  stream(options: RequestOptions & { sse?: ReadSseOptions }): Promise<StreamResult>;
}

/** Caps of one exchange record: a hostile peer's headers and errors cost bounded memory. */
export const EXCHANGE_LIMITS = { urlChars: 2000, headers: 64, headerChars: 1000, errorChars: 1000 } as const;
const DEFAULT_TIMEOUT_MS = 10_000;
const DEFAULT_MAX_BODY_BYTES = 8 * 1024 * 1024;

/**
 * The base URL without user-info: credentials in a URL are never sent (fetch refuses them, and
 * the daemon authenticates with the bearer token only, as Go's client does when it sets one).
 */
export function stripUserInfo(url: string): string {
  return url.replace(/^([a-z][a-z0-9+.-]*:\/\/)[^/?#@]*@/i, '$1');
}

export function createHttpClient(options: HttpClientOptions): HttpClient {
  const baseUrl = stripUserInfo(options.baseUrl.replace(/\/+$/, ''));
  const doFetch = options.fetch ?? globalThis.fetch;
  const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const maxBodyBytes = options.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES;

  function prepare(request: RequestOptions): { url: string; init: RequestInit; exchange: Exchange } {
    const method = request.method ?? 'GET';
    const headers: Record<string, string> = { ...request.headers };
    const auth = request.auth ?? 'token';
    if (auth === 'token' && options.token !== undefined) headers['Authorization'] = `Bearer ${options.token}`;
    else if (typeof auth === 'object') headers['Authorization'] = auth.authorization;
    let body: string | undefined;
    if (typeof request.body === 'string') body = request.body;
    else if (request.body !== undefined) {
      body = JSON.stringify(request.body);
      if (!Object.keys(headers).some((h) => h.toLowerCase() === 'content-type')) headers['Content-Type'] = 'application/json';
    }
    const url = baseUrl + request.path;
    const exchange: Exchange = {
      method,
      url: excerpt(url, EXCHANGE_LIMITS.urlChars),
      requestHeaders: headerRecord(headers),
      durationMs: 0,
    };
    if (typeof auth === 'object' && auth.shownAs !== undefined) exchange.requestHeaders['Authorization'] = auth.shownAs;
    if (body !== undefined) exchange.requestBody = excerpt(body);
    return { url, init: { method, headers, redirect: 'manual', ...(body !== undefined ? { body } : {}) }, exchange };
  }

  function finish(exchange: Exchange, startedAt: number): Exchange {
    exchange.durationMs = Date.now() - startedAt;
    options.onExchange?.(exchange);
    return exchange;
  }

  async function request(request: RequestOptions): Promise<HttpResult> {
    const { url, init, exchange } = prepare(request);
    const limit = request.timeoutMs ?? timeoutMs;
    const startedAt = Date.now();
    // A separate headers deadline only when it is shorter than the whole request's.
    const headersLimit = options.headersTimeoutMs !== undefined && options.headersTimeoutMs < limit ? options.headersTimeoutMs : undefined;
    const headersDeadline = headersLimit !== undefined ? deadlineSignal(headersLimit) : undefined;
    const deadline = deadlineSignal(limit, options.signal, request.signal, headersDeadline?.signal);
    try {
      const response = await doFetch(url, { ...init, signal: deadline.signal });
      headersDeadline?.clear();
      exchange.status = response.status;
      exchange.responseHeaders = headerRecord(response.headers);
      const text = await readCapped(response, maxBodyBytes);
      exchange.responseBody = excerpt(text);
      const parsed = parseJsonBounded(text);
      const tokenEcho = findTokenEcho(options.token, { text, json: parsed.json, headers: response.headers });
      return {
        status: response.status,
        headers: response.headers,
        text,
        json: parsed.json,
        ...(parsed.jsonError !== undefined ? { jsonError: parsed.jsonError } : {}),
        tokenSeen: tokenEcho !== undefined,
        ...(tokenEcho !== undefined ? { tokenEcho } : {}),
        exchange: finish(exchange, startedAt),
      };
    } catch (error) {
      const reason = headersDeadline?.reason() !== undefined ? `no response headers within ${headersLimit} ms` : deadline.reason();
      exchange.error = excerpt(reason ?? describeError(error), EXCHANGE_LIMITS.errorChars);
      finish(exchange, startedAt);
      throw new HttpError(`${exchange.method} ${exchange.url}: ${exchange.error}`, exchange);
    } finally {
      headersDeadline?.clear();
      deadline.clear();
    }
  }

  async function stream(request: RequestOptions & { sse?: ReadSseOptions }): Promise<StreamResult> {
    const { url, init, exchange } = prepare(request);
    const limit = Math.min(request.timeoutMs ?? timeoutMs, options.headersTimeoutMs ?? Number.POSITIVE_INFINITY);
    const startedAt = Date.now();
    const headersDeadline = deadlineSignal(limit, options.signal, request.signal);
    // The connection outlives the header deadline, so it gets its own controller tied only to aborts.
    const connection = new AbortController();
    const abortConnection = (): void => connection.abort();
    headersDeadline.signal.addEventListener('abort', abortConnection, { once: true });
    try {
      const response = await doFetch(url, { ...init, signal: connection.signal });
      headersDeadline.signal.removeEventListener('abort', abortConnection);
      exchange.status = response.status;
      exchange.responseHeaders = headerRecord(response.headers);
      finish(exchange, startedAt);
      const body = response.body ?? new ReadableStream<Uint8Array>({ start: (c) => c.close() });
      const sseOptions: ReadSseOptions = { ...request.sse };
      // Cancelling the body (what readSse does on abort) closes the connection.
      const signals = [options.signal, request.signal, request.sse?.signal].filter((s): s is AbortSignal => s !== undefined);
      if (signals.length > 0) sseOptions.signal = AbortSignal.any(signals);
      return { status: response.status, headers: response.headers, events: readSse(body, sseOptions), exchange };
    } catch (error) {
      exchange.error = excerpt(headersDeadline.reason() ?? describeError(error), EXCHANGE_LIMITS.errorChars);
      finish(exchange, startedAt);
      throw new HttpError(`${exchange.method} ${exchange.url}: ${exchange.error}`, exchange);
    } finally {
      headersDeadline.clear();
    }
  }

  return { baseUrl, request, stream };
}

/** Reads a response body up to `maxBytes`; more than that is an error (a daemon must not flood us). */
export async function readCapped(response: Response, maxBytes: number): Promise<string> {
  const text = await readTextCapped(response.body, maxBytes);
  if (text === undefined) throw new Error(`response body larger than ${maxBytes} bytes`);
  return text;
}

/** A signal that aborts after `ms` or when any outer signal aborts; `reason()` names a timeout. */
function deadlineSignal(ms: number, ...outer: (AbortSignal | undefined)[]): { signal: AbortSignal; clear(): void; reason(): string | undefined } {
  const controller = new AbortController();
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    controller.abort();
  }, ms);
  const signals = [controller.signal, ...outer.filter((s): s is AbortSignal => s !== undefined)];
  return {
    signal: AbortSignal.any(signals),
    clear: () => clearTimeout(timer),
    reason: () => (timedOut ? `no complete response within ${ms} ms` : undefined),
  };
}

/** Headers for the record: at most `EXCHANGE_LIMITS.headers`, each value capped. */
function headerRecord(headers: Headers | Record<string, string>): Record<string, string> {
  const out: Record<string, string> = {};
  let count = 0;
  const add = (value: string, name: string): void => {
    if (++count <= EXCHANGE_LIMITS.headers) out[detach(name)] = excerpt(value, EXCHANGE_LIMITS.headerChars);
  };
  if (headers instanceof Headers) headers.forEach(add);
  else for (const [name, value] of Object.entries(headers)) add(value, name);
  if (count > EXCHANGE_LIMITS.headers) out['…'] = `${count - EXCHANGE_LIMITS.headers} more headers`;
  return out;
}

export function describeError(error: unknown): string {
  if (error instanceof Error) {
    const cause = (error as { cause?: unknown }).cause;
    if (cause instanceof Error && cause.message && !error.message.includes(cause.message)) return `${error.message}: ${cause.message}`;
    return error.message;
  }
  return String(error);
}

/** Renders an exchange as the few lines a failure message shows (joined by newlines). */
export function formatExchange(exchange: Exchange): string {
  return exchangeLines(exchange).join('\n');
}

/** The lines of `formatExchange`; a field never adds a line (newlines in data are escaped). */
export function exchangeLines(exchange: Exchange): string[] {
  const lines = [`> ${exchange.method} ${exchange.url}`];
  for (const [name, value] of Object.entries(exchange.requestHeaders)) lines.push(`> ${name}: ${value}`);
  if (exchange.requestBody !== undefined) lines.push(`> ${oneLine(exchange.requestBody)}`);
  if (exchange.status !== undefined) {
    lines.push(`< ${exchange.status}`);
    for (const [name, value] of Object.entries(exchange.responseHeaders ?? {})) lines.push(`< ${name}: ${value}`);
    if (exchange.responseBody) lines.push(`< ${oneLine(exchange.responseBody)}`);
  }
  if (exchange.error) lines.push(`! ${oneLine(exchange.error)}`);
  return lines.map((line) => line.replace(/\r/g, '\\r'));
}

function oneLine(text: string): string {
  const flat = text.replace(/\n$/, '').replace(/\r?\n/g, '\\n');
  return excerpt(flat, 500);
}
