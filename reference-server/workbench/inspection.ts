/**
 * `--inspect-requests`: `GET /__glue/requests` lists what the daemon received (method, path,
 * query, headers, body, status, duration, event-stream summary), oldest first, for client tests
 * that assert on what they sent; `DELETE /__glue/requests` clears the list. It needs the bearer
 * token like every daemon route, the CLI allows it only on a loopback listen address, and the
 * token never appears in it (Authorization is shown as `[redacted]`, bodies are redacted).
 * Bounded: the newest `maxEntries` requests, bodies cut at `maxBodyBytes`.
 */
import { createAuthorizer } from '../auth.js';
import { errorResponse, jsonResponse, messages } from '../responses.js';
import { REDACTED, tokenRedactor } from './log-sink.js';
import { observeSse, type SseSummary } from './sse-observer.js';

export const INSPECTION_PATH = '/__glue/requests';

export interface ReceivedRequest {
  seq: number;
  time: string;
  method: string;
  path: string;
  query: string;
  headers: Record<string, string>;
  /** The body as text (`''` when none), cut at the cap. */
  body: string;
  body_truncated?: true;
  status: number;
  duration_ms: number;
  /** For event streams: filled in when the stream ends. */
  sse?: SseSummary;
}

export interface InspectionOptions {
  token: string;
  maxEntries?: number;
  maxBodyBytes?: number;
  now?: () => number;
  clock?: () => Date;
}

type Handle = (request: Request) => Promise<Response>;

export function inspectionHandler(inner: Handle, options: InspectionOptions): Handle {
  const authorized = createAuthorizer(options.token.trim());
  const redact = tokenRedactor(options.token.trim());
  const maxEntries = options.maxEntries ?? 1000;
  const maxBodyBytes = options.maxBodyBytes ?? 64 * 1024;
  const now = options.now ?? (() => performance.now());
  const clock = options.clock ?? (() => new Date());
  let entries: ReceivedRequest[] = [];
  let seq = 0;
  let dropped = 0;

  const answer = (request: Request): Response => {
    if (!authorized(request)) return errorResponse(401, 'unauthorized', messages.unauthorized);
    if (request.method === 'GET') return jsonResponse(200, { requests: entries, dropped });
    if (request.method === 'DELETE') {
      const cleared = entries.length;
      entries = [];
      dropped = 0;
      return jsonResponse(200, { cleared });
    }
    return errorResponse(405, 'method_not_allowed', messages.methodNotAllowed);
  };

  return async (request) => {
    const url = new URL(request.url);
    if (url.pathname === INSPECTION_PATH) return answer(request);
    const started = now();
    const time = clock().toISOString();
    const body = await captureBody(request, maxBodyBytes);
    const headers: Record<string, string> = {};
    request.headers.forEach((value, name) => (headers[name] = name === 'authorization' ? REDACTED : redact(value)));
    const response = await inner(request);
    const entry: ReceivedRequest = {
      seq: ++seq,
      time,
      method: request.method,
      path: url.pathname,
      query: redact(url.search),
      headers,
      body: redact(body.text),
      ...(body.truncated ? { body_truncated: true as const } : {}),
      status: response.status,
      duration_ms: Math.round((now() - started) * 10) / 10,
    };
    entries.push(entry);
    if (entries.length > maxEntries) {
      entries.shift();
      dropped++;
    }
    const isSse = (response.headers.get('content-type') ?? '').startsWith('text/event-stream') && response.body !== null;
    if (!isSse) return response;
    const observed = observeSse(response.body!, (summary) => (entry.sse = summary));
    return new Response(observed, { status: response.status, statusText: response.statusText, headers: response.headers });
  };
}

/** Reads a copy of the body (the daemon reads the original), keeping at most `cap` bytes. */
async function captureBody(request: Request, cap: number): Promise<{ text: string; truncated: boolean }> {
  if (!request.body) return { text: '', truncated: false };
  const reader = request.clone().body!.getReader();
  const chunks: Uint8Array[] = [];
  let kept = 0;
  let truncated = false;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    const room = cap - kept;
    chunks.push(value.byteLength > room ? value.subarray(0, room) : value);
    kept += Math.min(room, value.byteLength);
    if (value.byteLength > room) {
      truncated = true;
      await reader.cancel().catch(() => undefined);
      break;
    }
  }
  return { text: Buffer.concat(chunks).toString('utf8'), truncated };
}
