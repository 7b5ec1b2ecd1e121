/**
 * Event-level changes to the reference server's run stream, applied as middleware: the run still
 * executes in the reference server, its frames are parsed back out, changed as the case says
 * (unknown events and fields added, the stream cut, stalled or ended mid-frame) and written again
 * through the raw-frame writer with the case's style and pacing.
 */
import type { Middleware } from '../reference-server/faults/middleware.js';
import { envelopeOf, isEventStream, parseSseBlock, splitSseBlocks, type EventEnvelope } from '../reference-server/faults/sse-frames.js';
import { encodeGoJson } from '../reference-server/go-json.js';
import { pacedStream, writeFrame, type FrameStyle, type Pacing } from './raw-frames.js';

export interface StreamPlan {
  style?: FrameStyle;
  /** Default `frame`. */
  pacing?: Pacing;
  /** Adds an event of a type the protocol does not define before the first event of this type. */
  unknownEventBefore?: string;
  /** Adds unknown fields to every envelope and every payload. */
  unknownPayloadFields?: boolean;
  /**
   * After the first event of `type` the rest of the run is not sent: `close` ends the stream
   * cleanly, `stall` keeps it open without a byte, `partial` sends the next frame without its
   * terminating blank line and then closes.
   */
  stopAfter?: { type: string; then: 'close' | 'stall' | 'partial' };
}

/** The SSE frames a run produced, changed by the plan, as text pieces for the writer. */
async function* planned(source: ReadableStream<Uint8Array>, plan: StreamPlan, stopped: { value: boolean }): AsyncGenerator<string> {
  const reader = source.getReader();
  const decoder = new TextDecoder();
  let buffer = '';
  let shift = 0;
  let inserted = false;
  let stopping = false;
  let ended = false;
  try {
    for (;;) {
      const { done, value } = await reader.read();
      ended = done;
      buffer += done ? decoder.decode() + '\n\n' : decoder.decode(value, { stream: true });
      const { blocks, rest } = splitSseBlocks(buffer);
      buffer = rest;
      for (const text of blocks) {
        const block = parseSseBlock(text);
        const envelope = envelopeOf(block);
        if (envelope === undefined) {
          yield writeFrame(block, plan.style);
          continue;
        }
        if (plan.unknownEventBefore === envelope['type'] && !inserted) {
          inserted = true;
          shift = 1;
          const unknown: EventEnvelope = { ...envelope, id: `${String(envelope['id'])}_future`, type: 'future_event', payload: { type: 'future_event', note: 'a type this client does not know' } };
          yield writeFrame({ id: String(unknown['id']), event: 'future_event', data: encodeGoJson(unknown) }, plan.style);
        }
        const changed: EventEnvelope = { ...envelope, seq: Number(envelope['seq']) + shift };
        if (plan.unknownPayloadFields) {
          changed['x_future_envelope'] = { added: 'later', n: 1 };
          if (typeof changed.payload === 'object' && changed.payload !== null) changed.payload = { ...(changed.payload as object), x_future_payload: ['ignored'] };
        }
        const frame = writeFrame({ id: block.id, event: block.event, data: encodeGoJson(changed) }, plan.style);
        if (stopping) {
          // `partial`: this frame without its blank line, then the end.
          yield frame.slice(0, frame.length - (plan.style?.eol ?? '\n').length);
          stopped.value = true;
          return;
        }
        yield frame;
        if (plan.stopAfter && plan.stopAfter.type === envelope['type']) {
          if (plan.stopAfter.then !== 'partial') {
            stopped.value = true;
            return;
          }
          stopping = true;
        }
      }
      if (done) return;
    }
  } finally {
    // The run goes on in the daemon (drained in the background) when the plan stopped early.
    // A reader that went away early cancels the daemon's stream, so the daemon sees the disconnect.
    if (stopped.value) void drain(reader);
    else if (!ended) void reader.cancel().catch(() => undefined);
  }
}

async function drain(reader: ReadableStreamDefaultReader<Uint8Array>): Promise<void> {
  try {
    for (let next = await reader.read(); !next.done; next = await reader.read());
  } catch {
    // the run ended badly; nothing to report
  }
}

/** Middleware that rewrites every event-stream response by the plan. */
export function streamPlanMiddleware(plan: StreamPlan): Middleware {
  return async (request, next) => {
    const response = await next(request);
    if (!isEventStream(response) || response.body === null) return response;
    const stopped = { value: false };
    const hold = plan.stopAfter?.then === 'stall';
    const body = pacedStream(planned(response.body, plan, stopped), plan.pacing ?? 'frame', hold);
    const headers = new Headers(response.headers);
    headers.delete('content-length');
    return new Response(body, { status: response.status, headers });
  };
}
