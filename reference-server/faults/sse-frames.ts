/**
 * Frame-by-frame rewriting of an SSE response body, for faults that break one streaming rule.
 * The daemon writes `id:`/`event:`/`data:` blocks separated by a blank line; this module parses
 * those blocks back out of the byte stream, hands each to a rewriter, and serialises the result
 * one frame per chunk, as the daemon flushes them. A reader that goes away cancels the daemon's
 * stream, so the reference server still sees the disconnect.
 */
import { encodeGoJson } from '../go-json.js';

/** One SSE block. Fields absent from the block are undefined. */
export interface SseBlock {
  id: string | undefined;
  event: string | undefined;
  data: string | undefined;
  /** Only present when the block had a `retry:` line (the Glue daemon never sends one). */
  retry?: string;
}

/** Per-stream rewriting state: created once per SSE response. */
export interface FrameRewriter {
  /** The frames to send in place of one daemon frame (empty to drop it). */
  onFrame(frame: SseBlock): SseBlock[];
  /** Frames to send once the daemon's stream has ended. */
  onEnd?(): SseBlock[];
  /** Leave the response open after the daemon's stream ended, until the reader cancels. */
  keepOpen?: boolean;
}

export type EventEnvelope = Record<string, unknown> & { payload?: unknown };

/** Parses one block of text (without its blank-line terminator), per the SSE field rules. */
export function parseSseBlock(text: string): SseBlock {
  const block: SseBlock = { id: undefined, event: undefined, data: undefined };
  for (const line of text.split(/\r\n|\r|\n/)) {
    if (line === '' || line.startsWith(':')) continue;
    const colon = line.indexOf(':');
    const name = colon < 0 ? line : line.slice(0, colon);
    let value = colon < 0 ? '' : line.slice(colon + 1);
    if (value.startsWith(' ')) value = value.slice(1);
    if (name === 'id') block.id = value;
    else if (name === 'event') block.event = value;
    else if (name === 'data') block.data = block.data === undefined ? value : block.data + '\n' + value;
    else if (name === 'retry') block.retry = value;
  }
  return block;
}

/** Serialises a block the way the daemon writes it: `id`, `event`, one `data:` line per line. */
export function serializeSseBlock(block: SseBlock): string {
  let text = '';
  if (block.id !== undefined) text += `id: ${block.id}\n`;
  if (block.event !== undefined) text += `event: ${block.event}\n`;
  if (block.retry !== undefined) text += `retry: ${block.retry}\n`;
  if (block.data !== undefined) for (const line of block.data.split('\n')) text += `data: ${line}\n`;
  return text + '\n';
}

/** Splits complete blocks off a text buffer; returns them and the unfinished remainder. */
export function splitSseBlocks(buffer: string): { blocks: string[]; rest: string } {
  const normalized = buffer.replace(/\r\n?/g, '\n');
  const parts = normalized.split('\n\n');
  const rest = parts.pop() ?? '';
  return { blocks: parts.filter((part) => part.trim() !== ''), rest };
}

/** The JSON envelope in a frame's `data`, or undefined when it is not a JSON object. */
export function envelopeOf(frame: SseBlock): EventEnvelope | undefined {
  if (frame.data === undefined) return undefined;
  try {
    const value: unknown = JSON.parse(frame.data);
    return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as EventEnvelope) : undefined;
  } catch {
    return undefined;
  }
}

/** A copy of `frame` whose data is `envelope`, written as the daemon writes JSON. */
export function withEnvelope(frame: SseBlock, envelope: EventEnvelope): SseBlock {
  return { ...frame, data: encodeGoJson(envelope) };
}

/** Applies `change` to the frame's envelope; frames without one pass through unchanged. */
export function mapEnvelope(frame: SseBlock, change: (envelope: EventEnvelope) => EventEnvelope): SseBlock {
  const envelope = envelopeOf(frame);
  return envelope === undefined ? frame : withEnvelope(frame, change(envelope));
}

export function isTerminalType(type: unknown): boolean {
  return type === 'run_done' || type === 'run_error';
}

/** Rewrites an SSE byte stream frame by frame. */
export function rewriteSseStream(source: ReadableStream<Uint8Array>, rewriter: FrameRewriter): ReadableStream<Uint8Array> {
  const reader = source.getReader();
  const decoder = new TextDecoder();
  const encoder = new TextEncoder();
  let buffer = '';
  let ended = false;

  const emit = (controller: ReadableStreamDefaultController<Uint8Array>, frames: SseBlock[]): void => {
    for (const frame of frames) controller.enqueue(encoder.encode(serializeSseBlock(frame)));
  };

  return new ReadableStream<Uint8Array>({
    async pull(controller) {
      // Keep reading until at least one chunk was produced, so a dropped frame cannot stall the reader.
      for (;;) {
        if (ended) return; // keepOpen: never enqueue or close again; the reader's cancel ends us.
        const { done, value } = await reader.read();
        if (done) {
          buffer += decoder.decode();
          const { blocks } = splitSseBlocks(buffer + '\n\n');
          buffer = '';
          const frames = blocks.flatMap((text) => rewriter.onFrame(parseSseBlock(text)));
          emit(controller, [...frames, ...(rewriter.onEnd?.() ?? [])]);
          ended = true;
          if (!rewriter.keepOpen) controller.close();
          return;
        }
        buffer += decoder.decode(value, { stream: true });
        const { blocks, rest } = splitSseBlocks(buffer);
        buffer = rest;
        const frames = blocks.flatMap((text) => rewriter.onFrame(parseSseBlock(text)));
        if (frames.length > 0) {
          emit(controller, frames);
          return;
        }
      }
    },
    async cancel(reason) {
      await reader.cancel(reason);
    },
  });
}

/** The same response with its SSE body rewritten; headers and status are kept. */
export function rewriteSseResponse(response: Response, createRewriter: () => FrameRewriter): Response {
  if (response.body === null) return response;
  return new Response(rewriteSseStream(response.body, createRewriter()), {
    status: response.status,
    statusText: response.statusText,
    headers: response.headers,
  });
}

export function isEventStream(response: Response): boolean {
  return (response.headers.get('content-type') ?? '').startsWith('text/event-stream');
}
