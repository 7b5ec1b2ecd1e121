/**
 * The bench's own SSE consumer: counts frames on the raw text instead of building objects, so the
 * client costs as little as possible and the figures measure the daemon. Seq order is checked on
 * every frame; `parse: 'json'` also JSON-parses each `data:` line (for small streams).
 */

export interface StreamTally {
  events: number;
  bytes: number;
  /** Milliseconds from `startedAt` to the first complete frame. */
  firstEventMs: number;
  /** Milliseconds from `startedAt` to the end of the stream. */
  endMs: number;
  firstType: string;
  lastType: string;
  /** Why the stream is not a clean 1..n sequence ending in a terminal event; undefined when it is. */
  problem: string | undefined;
}

export interface TallyOptions {
  startedAt: number;
  /** Give up when no byte arrives for this long. */
  idleTimeoutMs: number;
  parse?: 'prefix' | 'json';
  /** Called once, when the first frame of this type arrives (used to know a stream is parked). */
  onType?: { type: string; callback: () => void };
}

const SEQ = /"seq":(\d+)/;
const BLANK_LINE = Buffer.from('\n\n');
/** Enough of a frame for its id, event and the envelope's leading fields. */
const PREFIX_BYTES = 400;

export async function tallyStream(body: ReadableStream<Uint8Array>, options: TallyOptions): Promise<StreamTally> {
  const reader = body.getReader();
  const decoder = new TextDecoder();
  const tally: StreamTally = { events: 0, bytes: 0, firstEventMs: Number.NaN, endMs: Number.NaN, firstType: '', lastType: '', problem: undefined };
  let carry = '';
  let onTypeFired = false;

  const frame = (block: string): void => {
    let type = '';
    let data = '';
    for (const line of block.split('\n')) {
      if (line.startsWith('event: ')) type = line.slice(7);
      else if (line.startsWith('data: ')) data = line.slice(6);
    }
    tally.events += 1;
    if (tally.events === 1) {
      tally.firstEventMs = performance.now() - options.startedAt;
      tally.firstType = type;
    }
    tally.lastType = type;
    let seq: number;
    if (options.parse === 'json') {
      const envelope = JSON.parse(data) as { seq?: unknown; type?: unknown };
      seq = typeof envelope.seq === 'number' ? envelope.seq : Number.NaN;
      if (envelope.type !== type) tally.problem ??= `event ${tally.events}: event line ${type} but envelope type ${String(envelope.type)}`;
    } else {
      seq = Number(SEQ.exec(data)?.[1] ?? Number.NaN);
    }
    if (seq !== tally.events) tally.problem ??= `event ${tally.events}: expected seq ${tally.events}, got ${seq}`;
    if (!onTypeFired && options.onType && type === options.onType.type) {
      onTypeFired = true;
      options.onType.callback();
    }
  };

  // Frames are split on the raw bytes (memchr-fast); in prefix mode only each frame's first bytes
  // are decoded, since `id:`, `event:` and the envelope's seq come first.
  let pendingBytes: Buffer = Buffer.alloc(0);
  try {
    for (;;) {
      const result = await readWithin(reader, options.idleTimeoutMs);
      if (result.done) break;
      tally.bytes += result.value.byteLength;
      if (options.parse === 'json') {
        carry += decoder.decode(result.value, { stream: true });
        let start = 0;
        for (let end = carry.indexOf('\n\n'); end >= 0; end = carry.indexOf('\n\n', start)) {
          frame(carry.slice(start, end));
          start = end + 2;
        }
        carry = start === 0 ? carry : carry.slice(start);
        continue;
      }
      const chunk = Buffer.from(result.value.buffer, result.value.byteOffset, result.value.byteLength);
      // A frame split across chunks: search from just before the boundary ("\n" | "\n").
      const buf = pendingBytes.length > 0 ? Buffer.concat([pendingBytes, chunk]) : chunk;
      let start = 0;
      for (let end = buf.indexOf(BLANK_LINE, Math.max(0, pendingBytes.length - 1)); end >= 0; end = buf.indexOf(BLANK_LINE, start)) {
        frame(buf.toString('latin1', start, Math.min(end, start + PREFIX_BYTES)));
        start = end + 2;
      }
      pendingBytes = start >= buf.length ? Buffer.alloc(0) : Buffer.from(buf.subarray(start));
    }
  } finally {
    reader.releaseLock();
  }
  tally.endMs = performance.now() - options.startedAt;
  const pending = carry.trim().length + pendingBytes.length;
  if (pending > 0) tally.problem ??= `stream ended inside a frame (${pending} bytes pending)`;
  if (tally.firstType !== 'run_start') tally.problem ??= `first event ${tally.firstType || '(none)'}, expected run_start`;
  if (tally.lastType !== 'run_done' && tally.lastType !== 'run_error') tally.problem ??= `last event ${tally.lastType || '(none)'}, expected run_done or run_error`;
  return tally;
}

/** One read, or an error after `ms` of silence (the bench must never hang on a broken daemon). */
function readWithin(reader: ReadableStreamDefaultReader<Uint8Array>, ms: number): Promise<ReadableStreamReadResult<Uint8Array>> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      reader.cancel().catch(() => undefined);
      reject(new Error(`bench: no SSE bytes for ${ms} ms`));
    }, ms);
    reader.read().then(
      (r) => {
        clearTimeout(timer);
        resolve(r);
      },
      (e: unknown) => {
        clearTimeout(timer);
        reject(e instanceof Error ? e : new Error(String(e)));
      },
    );
  });
}
