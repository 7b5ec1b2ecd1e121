/**
 * Hand-made broken daemons: wrappers around the reference server's handler that break one
 * behaviour each, to show that the named checks fail (sensitivity.test.ts). The fault-injection
 * catalogue in reference-server/faults/ is the systematic version; these stay small and local.
 */
import type { Handle, Wrap } from './support.js';

const pathOf = (request: Request): string => new URL(request.url).pathname;

/** Replaces the response for requests that match. */
export function answer(match: (request: Request) => boolean, respond: (request: Request) => Response | Promise<Response>): Wrap {
  return (next) => async (request) => (match(request) ? respond(request) : next(request));
}

/** Rewrites the request before the server sees it. */
export function rewriteRequest(rewrite: (request: Request, token: string) => Request | Promise<Request>): Wrap {
  return (next, token) => async (request) => next(await rewrite(request, token));
}

/** Rewrites JSON answers (status and body) of matching requests. */
export function rewriteJson(
  match: (request: Request) => boolean,
  rewrite: (body: Record<string, unknown>, status: number, request: Request) => { status?: number; body: unknown } | undefined,
): Wrap {
  return (next) => async (request) => {
    const response = await next(request);
    if (!match(request) || !(response.headers.get('content-type') ?? '').startsWith('application/json')) return response;
    const body = (await response.json()) as Record<string, unknown>;
    const changed = rewrite(body, response.status, request) ?? { body };
    return new Response(`${JSON.stringify(changed.body)}\n`, { status: changed.status ?? response.status, headers: response.headers });
  };
}

export interface SseEvent {
  id: string;
  event: string;
  data: Record<string, unknown>;
}

/** Per-connection state handed to an SSE rewrite. */
export interface SseConnection {
  runId: string;
  /** 0 for the first connection to this run, 1 for the second… */
  connection: number;
  index: number;
}

/**
 * Rewrites the events of every event stream, block by block as they pass (live streams stay
 * live). Return the events to send in place of this one ([] drops it).
 */
export function rewriteSse(rewrite: (event: SseEvent, connection: SseConnection) => SseEvent[], headers?: (headers: Headers) => void): Wrap {
  const connections = new Map<string, number>();
  return (next) => async (request) => {
    const response = await next(request);
    if (!response.body || !(response.headers.get('content-type') ?? '').startsWith('text/event-stream')) return response;
    const runId = decodeURIComponent(pathOf(request).split('/')[3] ?? '');
    const connection = connections.get(runId) ?? 0;
    connections.set(runId, connection + 1);
    let buffer = '';
    let index = 0;
    const decoder = new TextDecoder();
    const encoder = new TextEncoder();
    const emit = (block: string, controller: TransformStreamDefaultController<Uint8Array>): void => {
      const fields = new Map<string, string>();
      for (const line of block.split('\n')) {
        const colon = line.indexOf(':');
        fields.set(line.slice(0, colon), line.slice(colon + 1).replace(/^ /, ''));
      }
      const event: SseEvent = { id: fields.get('id') ?? '', event: fields.get('event') ?? '', data: JSON.parse(fields.get('data') ?? '{}') as Record<string, unknown> };
      for (const out of rewrite(event, { runId, connection, index: index++ })) {
        controller.enqueue(encoder.encode(`id: ${out.id}\nevent: ${out.event}\ndata: ${JSON.stringify(out.data)}\n\n`));
      }
    };
    const body = response.body.pipeThrough(
      new TransformStream<Uint8Array, Uint8Array>({
        transform(chunk, controller) {
          buffer += decoder.decode(chunk, { stream: true });
          for (let end = buffer.indexOf('\n\n'); end >= 0; end = buffer.indexOf('\n\n')) {
            emit(buffer.slice(0, end), controller);
            buffer = buffer.slice(end + 2);
          }
        },
      }),
    );
    const outHeaders = new Headers(response.headers);
    headers?.(outHeaders);
    return new Response(body, { status: response.status, headers: outHeaders });
  };
}

/** Applies several wrappers, the first one outermost. */
export function chain(...wraps: Wrap[]): Wrap {
  return (next, token) => wraps.reduceRight<Handle>((inner, wrap) => wrap(inner, token), next);
}

export const is =
  (method: string, pattern: RegExp) =>
  (request: Request): boolean =>
    request.method === method && pattern.test(pathOf(request) + new URL(request.url).search);

export const errorBody = (status: number, code: string, message = 'broken on purpose'): Response =>
  Response.json({ error: { code, message, retryable: false } }, { status });

/** A copy of a request with a new JSON body (the original body is read). */
export async function withJsonBody(request: Request, change: (body: Record<string, unknown>) => Record<string, unknown>): Promise<Request> {
  const text = await request.text();
  let body: Record<string, unknown>;
  try {
    body = JSON.parse(text) as Record<string, unknown>;
  } catch {
    return new Request(request.url, { method: request.method, headers: request.headers, body: text, signal: request.signal });
  }
  return new Request(request.url, { method: request.method, headers: request.headers, body: JSON.stringify(change(body)), signal: request.signal });
}

/** A copy of a request with changed headers (and optionally URL). */
export async function withHeaders(request: Request, change: (headers: Headers) => void, url = request.url): Promise<Request> {
  const headers = new Headers(request.headers);
  change(headers);
  const hasBody = request.method !== 'GET' && request.method !== 'HEAD';
  return new Request(url, { method: request.method, headers, signal: request.signal, ...(hasBody ? { body: await request.text() } : {}) });
}
