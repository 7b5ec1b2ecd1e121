/**
 * A bounded Server-Sent Events reader over eventsource-parser.
 *
 * A daemon under test may stream garbage, never send a byte, or never end a stream, so every wait
 * here is bounded (idle, total, size, abort) and ends in an `SseReadError` with a reason instead
 * of a hang. The raw text can be kept so framing checks can look at the exact lines on the wire.
 */
import { createParser, type EventSourceMessage, type ParseError } from 'eventsource-parser';

/** One dispatched SSE event. `id`/`event` are `undefined` when the frame had no such line. */
export interface SseFrame {
  id: string | undefined;
  event: string | undefined;
  data: string;
}

export interface ReadSseOptions {
  /** Fail when no byte arrives for this long. Default 30 s. */
  idleTimeoutMs?: number;
  /** Fail when the whole stream takes longer than this. Default: no limit. */
  totalTimeoutMs?: number;
  /** Fail when one event (bytes since the previous dispatched event) grows past this. Default 16 MiB. */
  maxEventBytes?: number;
  /** Fail when the stream carries more than this many bytes. Default: no limit. */
  maxTotalBytes?: number;
  /** Stop reading (error reason `aborted`) when this aborts. */
  signal?: AbortSignal;
  /** Keep the decoded text of the whole stream (`SseStream.rawText`). Default false: costs memory. */
  keepRaw?: boolean;
  /** Called for `retry:` fields and comment lines, which the Glue daemon never sends. */
  onRetry?: (retryMs: number) => void;
  onComment?: (comment: string) => void;
}

export type SseReadErrorReason = 'idle_timeout' | 'total_timeout' | 'event_too_large' | 'stream_too_large' | 'aborted' | 'read_failed';

/** Why a stream could not be read to its end. */
export class SseReadError extends Error {
  constructor(
    readonly reason: SseReadErrorReason,
    message: string,
  ) {
    super(message);
    this.name = 'SseReadError';
  }
}

/** The frames of one stream as an async iterable, plus what was seen on the wire so far. */
export interface SseStream extends AsyncIterable<SseFrame> {
  /** Decoded text received so far (empty unless `keepRaw`). */
  readonly rawText: string;
  /** Bytes received so far. */
  readonly bytes: number;
  /** Lines the parser rejected (unknown fields such as `foo: bar`), in order. */
  readonly unknownLines: readonly string[];
  /** Stops reading and releases the connection. Safe to call more than once. */
  cancel(): Promise<void>;
}

const DEFAULT_IDLE_TIMEOUT_MS = 30_000;
const DEFAULT_MAX_EVENT_BYTES = 16 * 1024 * 1024;

/** Reads `body` as an SSE stream; iterate it with `for await`. Breaking out of the loop cancels the body. */
export function readSse(body: ReadableStream<Uint8Array>, options: ReadSseOptions = {}): SseStream {
  const idleTimeoutMs = options.idleTimeoutMs ?? DEFAULT_IDLE_TIMEOUT_MS;
  const maxEventBytes = options.maxEventBytes ?? DEFAULT_MAX_EVENT_BYTES;
  const maxTotalBytes = options.maxTotalBytes ?? Number.POSITIVE_INFINITY;
  const reader = body.getReader();
  const decoder = new TextDecoder();
  const startedAt = Date.now();
  let rawText = '';
  let bytes = 0;
  let bytesSinceEvent = 0;
  let pending: SseFrame[] = [];
  let failure: SseReadError | undefined;
  let done = false;
  let released = false;
  const unknownLines: string[] = [];

  const parser = createParser({
    onEvent(message: EventSourceMessage) {
      bytesSinceEvent = 0;
      pending.push({ id: message.id, event: message.event, data: message.data });
    },
    onError(error: ParseError) {
      if (error.type === 'max-buffer-size-exceeded') {
        failure ??= new SseReadError('event_too_large', `SSE event larger than ${maxEventBytes} bytes`);
      } else {
        unknownLines.push(error.line ?? `${error.field ?? ''}: ${error.value ?? ''}`);
      }
    },
    ...(options.onRetry ? { onRetry: options.onRetry } : {}),
    ...(options.onComment ? { onComment: options.onComment } : {}),
    maxBufferSize: maxEventBytes,
  });

  function onAbortRelease(): void {
    void release();
  }

  async function release(): Promise<void> {
    if (released) return;
    released = true;
    options.signal?.removeEventListener('abort', onAbortRelease);
    // cancel() aborts the underlying connection; a rejected cancel (already errored) is irrelevant here.
    await reader.cancel().catch(() => undefined);
  }

  /** One `reader.read()` raced against the idle timer, the total deadline and the abort signal. */
  function readChunk(): Promise<ReadableStreamReadResult<Uint8Array>> {
    return new Promise((resolve, reject) => {
      const timers: NodeJS.Timeout[] = [];
      const settle = (fn: () => void): void => {
        for (const t of timers) clearTimeout(t);
        options.signal?.removeEventListener('abort', onAbort);
        fn();
      };
      const onAbort = (): void => settle(() => reject(new SseReadError('aborted', 'SSE read aborted')));
      if (options.signal?.aborted) return onAbort();
      options.signal?.addEventListener('abort', onAbort, { once: true });
      timers.push(setTimeout(() => settle(() => reject(new SseReadError('idle_timeout', `no SSE bytes for ${idleTimeoutMs} ms`))), idleTimeoutMs));
      if (options.totalTimeoutMs !== undefined) {
        const left = Math.max(0, startedAt + options.totalTimeoutMs - Date.now());
        timers.push(setTimeout(() => settle(() => reject(new SseReadError('total_timeout', `SSE stream still open after ${options.totalTimeoutMs} ms`))), left));
      }
      reader.read().then(
        (result) => settle(() => resolve(result)),
        (error: unknown) => settle(() => reject(new SseReadError('read_failed', `SSE read failed: ${describe(error)}`))),
      );
    });
  }

  async function* frames(): AsyncGenerator<SseFrame> {
    try {
      while (!done) {
        const result = await readChunk();
        if (result.done) {
          done = true;
          const tail = decoder.decode();
          if (options.keepRaw) rawText += tail;
          if (tail) parser.feed(tail);
          // A final event without its blank line is not dispatched, as in browsers.
        } else {
          bytes += result.value.byteLength;
          bytesSinceEvent += result.value.byteLength;
          const text = decoder.decode(result.value, { stream: true });
          if (options.keepRaw) rawText += text;
          parser.feed(text);
          if (bytes > maxTotalBytes) failure ??= new SseReadError('stream_too_large', `SSE stream larger than ${maxTotalBytes} bytes`);
          if (bytesSinceEvent > maxEventBytes) failure ??= new SseReadError('event_too_large', `SSE event larger than ${maxEventBytes} bytes`);
        }
        const ready = pending;
        pending = [];
        for (const frame of ready) yield frame;
        if (failure) throw failure;
      }
    } finally {
      await release();
    }
  }

  const iterable = frames();
  // An abort releases the connection at once, even while nobody is iterating.
  if (options.signal?.aborted) void release();
  else options.signal?.addEventListener('abort', onAbortRelease, { once: true });
  return {
    [Symbol.asyncIterator]: () => iterable,
    get rawText() {
      return rawText;
    },
    get bytes() {
      return bytes;
    },
    unknownLines,
    async cancel() {
      done = true;
      // Release first: it resolves a pending read, so the generator can finish instead of waiting.
      await release();
      await iterable.return(undefined).catch(() => undefined);
    },
  };
}

/** One event block of a raw SSE text: its lines (without line endings) and how it ended. */
export interface RawSseBlock {
  lines: string[];
  /** Offset of the block's first character in the text. */
  offset: number;
  /** True when a blank line ended the block; false for a trailing block cut off by the end of the text. */
  terminated: boolean;
}

/**
 * Splits raw SSE text into event blocks for framing checks. Lines end at LF, CRLF or CR (the SSE
 * grammar); `crlf`/`cr` tell whether the text used anything but bare LF.
 */
export function rawSseBlocks(text: string): { blocks: RawSseBlock[]; crlf: boolean; cr: boolean } {
  const blocks: RawSseBlock[] = [];
  const crlf = text.includes('\r\n');
  const cr = /\r(?!\n)/.test(text);
  let lines: string[] = [];
  let blockStart = 0;
  let pos = 0;
  const lineBreak = /\r\n|\r|\n/g;
  for (;;) {
    lineBreak.lastIndex = pos;
    const match = lineBreak.exec(text);
    if (!match) break;
    const line = text.slice(pos, match.index);
    pos = match.index + match[0].length;
    if (line === '') {
      if (lines.length > 0) blocks.push({ lines, offset: blockStart, terminated: true });
      lines = [];
      blockStart = pos;
    } else {
      if (lines.length === 0) blockStart = match.index - line.length;
      lines.push(line);
    }
  }
  const rest = text.slice(pos);
  if (rest !== '') lines.push(rest);
  if (lines.length > 0) blocks.push({ lines, offset: blockStart, terminated: false });
  return { blocks, crlf, cr };
}

function describe(error: unknown): string {
  if (error instanceof Error) {
    const cause = (error as { cause?: unknown }).cause;
    return cause instanceof Error ? `${error.message} (${cause.message})` : error.message;
  }
  return String(error);
}
