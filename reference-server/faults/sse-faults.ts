/**
 * Faults that rewrite a run's SSE stream, frame by frame. Each rewriter is created per response,
 * so a replay to a second reader is broken the same way as the first.
 */
import { isRecord, isRoute, type Middleware, type MiddlewareFactory } from './middleware.js';
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

/** `2026-11-24T16:50:26.3245Z` → the same instant written as `2026-11-24T18:50:26.3245+02:00`. */
export function toPlusTwo(time: string): string {
  const match = /^(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d)(\.\d+)?Z$/.exec(time);
  if (!match) return time;
  const shifted = new Date(Date.parse(`${match[1]}Z`) + 2 * 3600_000).toISOString().slice(0, 19);
  return `${shifted}${match[2] ?? ''}+02:00`;
}

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
  'cancel-wrong-code': perFrame((frame) => [
    mapEnvelope(frame, (envelope) => {
      const payload = envelope['payload'];
      if (envelope['type'] !== 'run_error' || !isRecord(payload) || !isRecord(payload['error'])) return envelope;
      if (payload['error']['code'] !== 'canceled') return envelope;
      return { ...envelope, payload: { ...payload, error: { ...payload['error'], code: 'internal' } } };
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

export const sseFaults: Readonly<Record<string, MiddlewareFactory>> = {
  'sse-json-content-type': () => jsonContentType,
  ...Object.fromEntries(Object.entries(sseRewriters).map(([name, create]) => [name, () => sseMiddleware(create)])),
};
