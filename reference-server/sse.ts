/**
 * Server-Sent Events as Go's daemon writes them: `id:`, `event:`, one `data:` line with the compact
 * JSON envelope, a blank line; one event per chunk (Go flushes after each). A reader that joins at
 * any time starts at seq 1 and then follows live events until the run is done.
 */
import type { EventFeed, HeaderPairs } from './exchange.js';
import type { Run } from './run.js';

const encoder = new TextEncoder();
const lineBreak = /[\r\n]/;
/** Node's Buffer.from where there is one: small frames come from its pool, not an ArrayBuffer each. */
const nodeBuffer = (globalThis as { Buffer?: { from(text: string, encoding: 'utf8'): Uint8Array } }).Buffer;
const utf8: (text: string) => Uint8Array = nodeBuffer ? (text) => nodeBuffer.from(text, 'utf8') : (text) => encoder.encode(text);

export function encodeSseFrame(id: string, type: string, data: string): Uint8Array {
  // Ids and types are the daemon's own; a line break would forge extra fields, so refuse it loudly.
  // indexOf is a memchr over the (large, for flood runs) data; a regex class scan is several times slower.
  if (lineBreak.test(id) || lineBreak.test(type) || data.includes('\n') || data.includes('\r')) {
    throw new Error(`Failed to encode SSE frame: line break in event ${JSON.stringify(type)}`);
  }
  return utf8(`id: ${id}\nevent: ${type}\ndata: ${data}\n\n`);
}

/**
 * The same frame for `json` that is the daemon's own compact JSON (go-json.ts): it has no raw line
 * break (strings escape them), so only the id and type are checked, not a scan of the whole data.
 */
export function encodeSseJsonFrame(id: string, type: string, json: string): Uint8Array {
  if (lineBreak.test(id) || lineBreak.test(type)) throw new Error(`Failed to encode SSE frame: line break in event ${JSON.stringify(type)}`);
  return utf8(`id: ${id}\nevent: ${type}\ndata: ${json}\n\n`);
}

/** Go's SSE headers, in the order it writes them. */
export const sseHeaders: HeaderPairs = [
  ['Cache-Control', 'no-cache'],
  ['Connection', 'keep-alive'],
  ['Content-Type', 'text/event-stream'],
];

export interface RunFeedOptions {
  /** The reader went away before the stream ended (Go cancels the run then). */
  onDisconnect(): void;
  /** Called once when the stream ends for any reason. */
  onEnd(): void;
}

/** A replay-then-follow feed over a run's event log: seq 1 first, then live frames until the run is done. */
export class RunFeed implements EventFeed {
  private index = 0;
  private finished = false;
  private wakeReader: (() => void) | undefined;

  constructor(
    private readonly run: Run,
    private readonly options: RunFeedOptions,
  ) {
    run.streamed = true;
  }

  get ended(): boolean {
    return this.finished;
  }

  next(): Uint8Array | undefined {
    if (this.finished) return undefined;
    const frame = this.run.frameAt(this.index);
    if (frame) {
      this.index++;
      return frame;
    }
    if (this.run.done) this.end();
    return undefined;
  }

  ready(): Promise<void> {
    if (this.finished) return Promise.resolve();
    return new Promise((resolve) => {
      // A reader that left must not wait for a run that may never emit again.
      this.wakeReader = resolve;
      void this.run.changed().then(resolve);
    });
  }

  disconnect(): void {
    if (this.finished) return;
    this.end();
    this.options.onDisconnect();
  }

  private end(): void {
    this.finished = true;
    this.options.onEnd();
    const wake = this.wakeReader;
    this.wakeReader = undefined;
    wake?.();
  }
}

/**
 * The feed as a web stream (the fetch adapter's SSE body), pulled one frame at a time; `signal`
 * aborting (the client went away) errors the stream and disconnects the feed.
 */
export function createEventStream(feed: EventFeed, signal?: AbortSignal): ReadableStream<Uint8Array> {
  let abortStream: (() => void) | undefined;
  let canceled = false;
  const onAbort = (): void => {
    canceled = true;
    abortStream?.();
    feed.disconnect();
  };
  const detach = (): void => signal?.removeEventListener('abort', onAbort);
  return new ReadableStream<Uint8Array>(
    {
      start(controller) {
        abortStream = () => {
          try {
            controller.error(new DOMException('client disconnected', 'AbortError'));
          } catch {
            // already closed
          }
        };
        if (signal?.aborted) onAbort();
        else signal?.addEventListener('abort', onAbort, { once: true });
      },
      async pull(controller) {
        for (;;) {
          if (canceled) return;
          const frame = feed.next();
          if (frame) {
            controller.enqueue(frame);
            return;
          }
          if (feed.ended) {
            detach();
            controller.close();
            return;
          }
          await feed.ready();
        }
      },
      cancel() {
        canceled = true;
        detach();
        feed.disconnect();
      },
    },
    { highWaterMark: 0 },
  );
}
