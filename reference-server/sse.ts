/**
 * Server-Sent Events as Go's daemon writes them: `id:`, `event:`, one `data:` line with the compact
 * JSON envelope, a blank line; one event per chunk (Go flushes after each). A reader that joins at
 * any time starts at seq 1 and then follows live events until the run is done.
 */
import type { Run } from './run.js';

const encoder = new TextEncoder();
const lineBreak = /[\r\n]/;

export function encodeSseFrame(id: string, type: string, data: string): Uint8Array {
  // Ids and types are the daemon's own; a line break would forge extra fields, so refuse it loudly.
  // indexOf is a memchr over the (large, for flood runs) data; a regex class scan is several times slower.
  if (lineBreak.test(id) || lineBreak.test(type) || data.includes('\n') || data.includes('\r')) {
    throw new Error(`Failed to encode SSE frame: line break in event ${JSON.stringify(type)}`);
  }
  return encoder.encode(`id: ${id}\nevent: ${type}\ndata: ${data}\n\n`);
}

export const sseHeaders: Readonly<Record<string, string>> = {
  'Cache-Control': 'no-cache',
  Connection: 'keep-alive',
  'Content-Type': 'text/event-stream',
};

export interface EventStreamOptions {
  /** The reader went away before the stream ended (Go cancels the run then). */
  onDisconnect(): void;
  /** Called once when the stream ends for any reason. */
  onEnd(): void;
  signal?: AbortSignal;
}

/** A replay-then-follow stream over a run's event log, pulled one frame at a time. */
export function createEventStream(run: Run, options: EventStreamOptions): ReadableStream<Uint8Array> {
  run.streamed = true;
  let next = 0;
  let ended = false;
  const end = (): void => {
    if (ended) return;
    ended = true;
    options.signal?.removeEventListener('abort', onAbort);
    options.onEnd();
  };
  const disconnect = (): void => {
    if (ended) return;
    end();
    options.onDisconnect();
  };
  let abortStream: (() => void) | undefined;
  const onAbort = (): void => {
    abortStream?.();
    disconnect();
  };

  const stream = new ReadableStream<Uint8Array>(
    {
      start(controller) {
        abortStream = () => {
          try {
            controller.error(new DOMException('client disconnected', 'AbortError'));
          } catch {
            // already closed
          }
        };
        if (options.signal?.aborted) onAbort();
        else options.signal?.addEventListener('abort', onAbort, { once: true });
      },
      async pull(controller) {
        for (;;) {
          if (ended) return;
          const frame = run.frameAt(next);
          if (frame) {
            next++;
            controller.enqueue(frame);
            return;
          }
          if (run.done) {
            end();
            controller.close();
            return;
          }
          await run.changed();
        }
      },
      cancel() {
        disconnect();
      },
    },
    { highWaterMark: 0 },
  );
  return stream;
}
