/**
 * Faults that rewrite a run's SSE stream, frame by frame. Each rewriter is created per response,
 * so a replay to a second reader is broken the same way as the first.
 */
import { formatGoTime, goTimeToNanos } from '../go-time.js';
import { isRecord, isRoute, routeOf, type Middleware, type MiddlewareFactory } from './middleware.js';
import {
  envelopeOf,
  isEventStream,
  isTerminalType,
  mapEnvelope,
  rewriteSseResponse,
  type EventEnvelope,
  type FrameRewriter,
  type SseBlock,
} from './sse-frames.js';

/** Applies a frame rewriter to every SSE response of the events route. */
export function sseMiddleware(createRewriter: () => FrameRewriter): Middleware {
  return async (request, next) => {
    const response = await next(request);
    if (!isRoute(request, 'runEvents') || !isEventStream(response)) return response;
    return rewriteSseResponse(response, createRewriter);
  };
}

/** A rewriter that maps each frame on its own, knowing its 0-based position. */
function perFrame(change: (frame: SseBlock, index: number) => SseBlock[]): () => FrameRewriter {
  return () => {
    let index = 0;
    return { onFrame: (frame) => change(frame, index++) };
  };
}

const typeOf = (frame: SseBlock): unknown => envelopeOf(frame)?.['type'];
const seqOf = (envelope: EventEnvelope): number => (typeof envelope['seq'] === 'number' ? envelope['seq'] : 0);

/** Moves a UTC RFC 3339 time (any fraction length, kept as is) by whole seconds; `suffix` replaces the `Z`. */
export function shiftTime(time: string, seconds: number, suffix = 'Z'): string {
  const match = /^(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d)(\.\d+)?Z$/.exec(time);
  if (!match) return time;
  const shifted = new Date(Date.parse(`${match[1]}Z`) + seconds * 1000).toISOString().slice(0, 19);
  return `${shifted}${match[2] ?? ''}${suffix}`;
}

/** `2026-11-24T16:50:26.3245Z` → the same instant written as `2026-11-24T18:50:26.3245+02:00`. */
export const toPlusTwo = (time: string): string => shiftTime(time, 2 * 3600, '+02:00');

/** A fresh event id in the daemon's format, derived from one it sent. */
const otherEventId = (id: unknown): string => `evt_${String(id).replace(/^evt_/, '').split('').reverse().join('')}`;

const sseRewriters: Readonly<Record<string, () => FrameRewriter>> = {
  'sse-seq-gap': perFrame((frame) => [
    mapEnvelope(frame, (envelope) => (seqOf(envelope) >= 3 ? { ...envelope, seq: seqOf(envelope) + 1 } : envelope)),
  ]),
  'sse-seq-restart': perFrame((frame, index) => [
    mapEnvelope(frame, (envelope) => (index >= 4 ? { ...envelope, seq: index - 3 } : envelope)),
  ]),
  'sse-out-of-order': () => {
    // The third frame is held back and sent after the fourth: seq 1, 2, 4, 3, 5…
    let index = 0;
    let held: SseBlock | undefined;
    return {
      onFrame(frame) {
        const position = index++;
        if (position === 2) {
          held = frame;
          return [];
        }
        if (position === 3 && held) {
          const out = [frame, held];
          held = undefined;
          return out;
        }
        return [frame];
      },
      onEnd: () => (held ? [held] : []),
    };
  },
  'sse-duplicate-event': perFrame((frame, index) => (index === 1 ? [frame, frame] : [frame])),
  'sse-no-run-start': () => {
    // run_start is dropped and later seqs renumbered, so only the "run_start first" rule breaks.
    let dropped = false;
    return {
      onFrame(frame) {
        if (!dropped && typeOf(frame) === 'run_start') {
          dropped = true;
          return [];
        }
        return [dropped ? mapEnvelope(frame, (envelope) => ({ ...envelope, seq: seqOf(envelope) - 1 })) : frame];
      },
    };
  },
  'sse-no-terminal': perFrame((frame) => (isTerminalType(typeOf(frame)) ? [] : [frame])),
  'sse-stream-left-open': () => ({ onFrame: (frame) => [frame], keepOpen: true }),
  'sse-two-terminal': perFrame((frame) => {
    const envelope = envelopeOf(frame);
    if (!envelope || !isTerminalType(envelope['type'])) return [frame];
    const id = otherEventId(envelope['id']);
    return [frame, mapEnvelope({ ...frame, id }, (copy) => ({ ...copy, id, seq: seqOf(copy) + 1 }))];
  }),
  'sse-event-name-mismatch': perFrame((frame) => [
    typeOf(frame) === 'text_delta' ? { ...frame, event: 'delta' } : frame,
  ]),
  'sse-id-mismatch': perFrame((frame) => {
    // The `id:` line carries the seq instead of the envelope id.
    const envelope = envelopeOf(frame);
    return [envelope ? { ...frame, id: String(envelope['seq']) } : frame];
  }),
  'sse-wrong-run-id': perFrame((frame) => [
    mapEnvelope(frame, (envelope) =>
      envelope['type'] === 'run_start' ? envelope : { ...envelope, run_id: 'run_00000000000000000000000000000000' },
    ),
  ]),
  'sse-non-utc-time': perFrame((frame) => [
    mapEnvelope(frame, (envelope) => (typeof envelope['time'] === 'string' ? { ...envelope, time: toPlusTwo(envelope['time']) } : envelope)),
  ]),
  'sse-time-backwards': perFrame((frame, index) => [
    // The fourth event is stamped a minute before the third.
    index === 3 ? mapEnvelope(frame, (envelope) => (typeof envelope['time'] === 'string' ? { ...envelope, time: shiftTime(envelope['time'], -60) } : envelope)) : frame,
  ]),
  'sse-multiline-data': perFrame((frame) => {
    // Pretty-printed JSON: the serialiser writes one `data:` line per line of it.
    const envelope = envelopeOf(frame);
    return [envelope ? { ...frame, data: JSON.stringify(envelope, null, 2) } : frame];
  }),
  'sse-payload-wrong-type': perFrame((frame) => [
    mapEnvelope(frame, (envelope) => {
      const payload = envelope['payload'];
      if (envelope['type'] !== 'text_delta' || !isRecord(payload) || typeof payload['delta'] !== 'string') return envelope;
      return { ...envelope, payload: { ...payload, delta: payload['delta'].length } };
    }),
  ]),
  'run-start-no-skill': perFrame((frame) => [
    mapEnvelope(frame, (envelope) => {
      const payload = envelope['payload'];
      if (envelope['type'] !== 'run_start' || !isRecord(payload) || !('skill' in payload)) return envelope;
      const { skill: _dropped, ...rest } = payload;
      return { ...envelope, payload: rest };
    }),
  ]),
  'run-start-no-client-id': perFrame((frame) => [
    mapEnvelope(frame, (envelope) => {
      const payload = envelope['payload'];
      return envelope['type'] === 'run_start' && isRecord(payload) ? { ...envelope, payload: { ...payload, client_id: '' } } : envelope;
    }),
  ]),
  'cancel-wrong-code': perFrame((frame) => [
    mapEnvelope(frame, (envelope) => {
      const payload = envelope['payload'];
      if (envelope['type'] !== 'run_error' || !isRecord(payload) || !isRecord(payload['error'])) return envelope;
      if (payload['error']['code'] !== 'canceled') return envelope;
      return { ...envelope, payload: { ...payload, error: { ...payload['error'], code: 'internal' } } };
    }),
  ]),
  'expires-at-late': perFrame((frame) => [
    mapEnvelope(frame, (envelope) => {
      // expires_at 30 % further away than the timeout the daemon applies (which stays as it is).
      const payload = envelope['payload'];
      if (envelope['type'] !== 'permission_request' || !isRecord(payload) || typeof envelope['time'] !== 'string' || typeof payload['expires_at'] !== 'string') return envelope;
      const time = goTimeToNanos(envelope['time']);
      const expires = goTimeToNanos(payload['expires_at']);
      if (time === undefined || expires === undefined) return envelope;
      const late = time + ((expires - time) * 13n) / 10n;
      return { ...envelope, payload: { ...payload, expires_at: formatGoTime(new Date(Number(late / 1_000_000n))) } };
    }),
  ]),
  'expires-at-missing': perFrame((frame) => [
    mapEnvelope(frame, (envelope) => {
      const payload = envelope['payload'];
      if (envelope['type'] !== 'permission_request' || !isRecord(payload)) return envelope;
      const { expires_at: _dropped, ...rest } = payload;
      return { ...envelope, payload: rest };
    }),
  ]),
};

/** The events route answers with a JSON content type; the body is still SSE. */
const jsonContentType: Middleware = async (request, next) => {
  const response = await next(request);
  if (!isRoute(request, 'runEvents') || !isEventStream(response)) return response;
  const headers = new Headers(response.headers);
  headers.set('Content-Type', 'application/json');
  return new Response(response.body, { status: response.status, headers });
};

/** The events route answers without `Cache-Control: no-cache`, so proxies may buffer or cache it. */
const noCacheControl: Middleware = async (request, next) => {
  const response = await next(request);
  if (!isRoute(request, 'runEvents') || !isEventStream(response)) return response;
  const headers = new Headers(response.headers);
  headers.delete('Cache-Control');
  return new Response(response.body, { status: response.status, headers });
};

/**
 * Every reader after the first of a run gets the events under fresh ids, as a daemon would that
 * re-creates events for each subscriber instead of replaying the stored ones.
 */
function replayWithNewIds(): Middleware {
  const readers = new Map<string, number>();
  return async (request, next) => {
    const response = await next(request);
    const route = routeOf(request);
    if (route?.name !== 'runEvents' || !isEventStream(response)) return response;
    const runId = route.params[0] ?? '';
    const seen = readers.get(runId) ?? 0;
    readers.set(runId, seen + 1);
    if (seen === 0) return response;
    return rewriteSseResponse(
      response,
      perFrame((frame) => {
        const envelope = envelopeOf(frame);
        if (!envelope) return [frame];
        const id = otherEventId(envelope['id']);
        return [mapEnvelope({ ...frame, id }, (copy) => ({ ...copy, id }))];
      }),
    );
  };
}

/**
 * Every permission request of a run shows the id of the run's first one; a decision sent to that
 * id goes to the newest request. A client can still answer them one at a time, but cannot tell
 * them apart.
 */
function reusePermissionIds(): Middleware {
  const runs = new Map<string, { alias: string; latest: string; seen: Set<string> }>();
  const aliasFor = (runId: string, real: string): string => {
    const state = runs.get(runId);
    if (!state) {
      runs.set(runId, { alias: real, latest: real, seen: new Set([real]) });
      return real;
    }
    if (!state.seen.has(real)) {
      state.seen.add(real);
      state.latest = real;
    }
    return state.alias;
  };
  return async (request, next) => {
    const route = routeOf(request);
    if (route?.name === 'permissionDecision' && request.method === 'POST') {
      const [runId = '', permissionId = ''] = route.params;
      const state = runs.get(runId);
      if (state && permissionId === state.alias && state.latest !== state.alias) {
        const url = new URL(request.url);
        url.pathname = `/v1/runs/${encodeURIComponent(runId)}/permissions/${encodeURIComponent(state.latest)}/decision`;
        return next(new Request(url, request));
      }
      return next(request);
    }
    const response = await next(request);
    if (route?.name !== 'runEvents' || !isEventStream(response)) return response;
    const runId = route.params[0] ?? '';
    return rewriteSseResponse(
      response,
      perFrame((frame) => [
        mapEnvelope(frame, (envelope) => {
          const payload = envelope['payload'];
          if (envelope['type'] !== 'permission_request' || !isRecord(payload) || typeof payload['permission_id'] !== 'string') return envelope;
          return { ...envelope, payload: { ...payload, permission_id: aliasFor(runId, payload['permission_id']) } };
        }),
      ]),
    );
  };
}

/**
 * A reader that joins a run while another reader's stream is open gets nothing until that stream
 * ended, then the whole run at once: a replay of the finished run, never the live events.
 */
function holdLiveReaders(): Middleware {
  const open = new Map<string, Promise<void>>();
  return async (request, next) => {
    const response = await next(request);
    const route = routeOf(request);
    if (route?.name !== 'runEvents' || !isEventStream(response) || response.body === null) return response;
    const runId = route.params[0] ?? '';
    const reader = response.body.getReader();
    const first = open.get(runId);
    let ended: () => void = () => undefined;
    if (first === undefined) {
      open.set(runId, new Promise<void>((resolve) => (ended = () => (open.delete(runId), resolve()))));
    }
    const body = new ReadableStream<Uint8Array>({
      async pull(controller) {
        if (first !== undefined) await first;
        const { done, value } = await reader.read();
        if (done) {
          ended();
          controller.close();
        } else controller.enqueue(value);
      },
      cancel(reason) {
        ended();
        return reader.cancel(reason);
      },
    });
    return new Response(body, { status: response.status, headers: response.headers });
  };
}

/** How long `sse-close-late` keeps a finished stream open: inside the 3 s a reader allows any stream, beyond SSE-007's 1 s. */
const LATE_CLOSE_MS = 2_000;

/** The events route ends its response only 2 s after the terminal event, as a daemon would that closes on a timer. */
const closeLate: Middleware = async (request, next) => {
  const response = await next(request);
  if (!isRoute(request, 'runEvents') || !isEventStream(response) || response.body === null) return response;
  const reader = response.body.getReader();
  let timer: ReturnType<typeof setTimeout> | undefined;
  const body = new ReadableStream<Uint8Array>({
    async pull(controller) {
      const { done, value } = await reader.read();
      if (!done) return controller.enqueue(value);
      await new Promise<void>((resolve) => (timer = setTimeout(resolve, LATE_CLOSE_MS)));
      controller.close();
    },
    cancel(reason) {
      clearTimeout(timer);
      return reader.cancel(reason);
    },
  });
  return new Response(body, { status: response.status, headers: response.headers });
};

export const sseFaults: Readonly<Record<string, MiddlewareFactory>> = {
  'sse-close-late': () => closeLate,
  'sse-live-reader-held': () => holdLiveReaders(),
  'permission-id-reused': () => reusePermissionIds(),
  'sse-json-content-type': () => jsonContentType,
  'sse-no-cache-control': () => noCacheControl,
  'sse-replay-new-ids': () => replayWithNewIds(),
  ...Object.fromEntries(Object.entries(sseRewriters).map(([name, create]) => [name, () => sseMiddleware(create)])),
};
