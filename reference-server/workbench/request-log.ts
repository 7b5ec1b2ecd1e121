/**
 * `--log-requests`: one line per request with its status and duration; an event stream is
 * summarised in one line when it ends (events per type, the last event, bytes, who ended it).
 * Only the method, path, query, status, timing and X-Glue-Client-ID are logged; the sink redacts
 * the token should a client put it in a URL.
 */
import type { LogSink } from './log-sink.js';
import { describeSse, observeSse, type SseSummary } from './sse-observer.js';

type Handle = (request: Request) => Promise<Response>;

export function requestLogHandler(inner: Handle, sink: LogSink, now: () => number = () => performance.now(), clock: () => Date = () => new Date()): Handle {
  return async (request) => {
    const started = now();
    const at = clock();
    const url = new URL(request.url);
    const target = url.pathname + url.search;
    const client = request.headers.get('x-glue-client-id') ?? undefined;
    const base = { time: at.toISOString(), method: request.method, path: url.pathname, query: url.search, ...(client ? { client_id: client } : {}) };
    const prefix = `${at.toISOString().slice(11, 23)} ${request.method} ${target}`;
    const who = client ? ` client=${client}` : '';
    let response: Response;
    try {
      response = await inner(request);
    } catch (error) {
      sink.emit('request', { ...base, status: 0, duration_ms: round(now() - started), error: String(error) }, `${prefix} failed: ${String(error)}`);
      throw error;
    }
    const isSse = (response.headers.get('content-type') ?? '').startsWith('text/event-stream') && response.body !== null;
    if (!isSse) {
      const ms = round(now() - started);
      sink.emit('request', { ...base, status: response.status, duration_ms: ms }, `${prefix} ${response.status} ${ms} ms${who}`);
      return response;
    }
    const body = observeSse(response.body!, (summary: SseSummary) => {
      const ms = round(now() - started);
      sink.emit('request', { ...base, status: response.status, duration_ms: ms, sse: summary }, `${prefix} ${response.status} ${describeSse(summary)}, ${ms} ms${who}`);
    });
    return new Response(body, { status: response.status, statusText: response.statusText, headers: response.headers });
  };
}

function round(ms: number): number {
  return Math.round(ms * 10) / 10;
}
